# One image per app: docker build --build-arg APP=shop .
# Build stage: full dependencies, compile with the Nest CLI (tsc builder).
FROM node:20-bookworm-slim AS build
WORKDIR /agora
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
ARG APP=shop
RUN npx nest build ${APP}

# Runtime stage: production dependencies and the compiled app only.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /agora
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
ARG APP=shop
COPY --from=build /agora/dist/apps/${APP} ./dist
ENV APP=${APP}
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["sh", "-c", "exec node dist/apps/${APP}/src/main.js"]

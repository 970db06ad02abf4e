# One image per app: docker build --build-arg APP=shop .  (APP: shop, user, order, inventory,
# payment, recommendation, gateway or edge; the Nest CLI application projects in nest-cli.json)
# Build stage: full dependencies, compile with the Nest CLI (tsc builder).
FROM node:24-bookworm-slim AS build
WORKDIR /agora
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY console ./console
COPY scripts/build-console.ts ./scripts/
ARG APP=shop
# The app's tsconfig has the repository as rootDir: dist/apps/<app>/ holds apps/<app>/src/ and
# the libs/ it imports. Fail here, not at start, if the entry is not where the runtime stage expects it.
RUN npx nest build ${APP} && test -f dist/apps/${APP}/apps/${APP}/src/main.js
# The shop and the gateway serve the operations console, bundled beside them (dist/apps/<app>/console).
RUN if [ "$APP" = shop ] || [ "$APP" = gateway ]; then npm run build:console && test -f dist/apps/${APP}/console/console.js; fi

# Runtime stage: production dependencies and the compiled app only.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /agora
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
# Writable by the app for what it keeps under .data/: the generated JWT secret (without
# JWT_SECRET) and the embedded PostgreSQL server (without DATABASE_URL).
RUN mkdir .data && chown node:node .data
ARG APP=shop
# The edge runs nginx, from Debian like the base image, with the template it renders.
RUN if [ "$APP" = edge ]; then apt-get update && apt-get install -y --no-install-recommends nginx-light && rm -rf /var/lib/apt/lists/*; fi
COPY deploy/nginx ./deploy/nginx
# dist/apps/${APP}/{apps,libs} becomes ./dist/{apps,libs}: the entry is ./dist/apps/${APP}/src/main.js.
COPY --from=build /agora/dist/apps/${APP} ./dist
ENV APP=${APP}
# Every image listens on 3000 unless PORT is set: the apps' own defaults (3001-3005) keep
# them apart on one machine, which containers do not need. The HEALTHCHECK reads PORT too.
ENV PORT=3000
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["sh", "-c", "exec node dist/apps/${APP}/src/main.js"]

import type { ApolloServerPlugin } from '@apollo/server';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GRAPHQL_PATH } from '@agora/platform';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Where GraphiQL's files are served: beside `/graphql`, not under it (Apollo answers everything under it). */
export const GRAPHIQL_ASSETS_PATH = 'graphiql';

/** The IDE, its introspection and the errors' "Did you mean …" are for development: production has none of them. */
export const isProduction = (): boolean => process.env['NODE_ENV'] === 'production';

const require = createRequire(import.meta.url);
const packageDir = (name: string): string => dirname(require.resolve(`${name}/package.json`));

/** GraphiQL's page loads these, all from the apps' own npm packages (the versions of package-lock.json): no CDN. */
const ASSETS: Readonly<Record<string, () => string>> = {
  'react.js': () => join(packageDir('react'), 'umd/react.production.min.js'),
  'react-dom.js': () => join(packageDir('react-dom'), 'umd/react-dom.production.min.js'),
  'graphiql.js': () => join(packageDir('graphiql'), 'graphiql.min.js'),
  'graphiql.css': () => join(packageDir('graphiql'), 'graphiql.min.css'),
};

/**
 * Starts GraphiQL on the page, a script of its own for the Content-Security-Policy allows
 * no inline one. GraphiQL keeps what it remembers (tabs, history, with their headers: a
 * bearer token) in the page's memory rather than in localStorage, where any script of the
 * origin could read it later: a reload starts afresh.
 */
const START_SCRIPT = `'use strict';
const remembered = new Map();
const storage = {
  getItem: (key) => (remembered.has(key) ? remembered.get(key) : null),
  setItem: (key, value) => void remembered.set(key, String(value)),
  removeItem: (key) => void remembered.delete(key),
  clear: () => remembered.clear(),
  get length() {
    return remembered.size;
  },
};
const root = document.getElementById('graphiql');
const fetcher = GraphiQL.createFetcher({ url: root.dataset.url });
ReactDOM.createRoot(root).render(
  React.createElement(GraphiQL, { fetcher, storage, shouldPersistHeaders: false, defaultEditorToolsVisibility: true }),
);
`;

const asset = (name: string) => `/${GRAPHIQL_ASSETS_PATH}/${name}`;

const PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Agora GraphiQL</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${asset('graphiql.css')}" />
    <style>
      body { margin: 0; }
      #graphiql { height: 100vh; }
    </style>
  </head>
  <body>
    <div id="graphiql" data-url="/${GRAPHQL_PATH}">Loading…</div>
    <script src="${asset('react.js')}"></script>
    <script src="${asset('react-dom.js')}"></script>
    <script src="${asset('graphiql.js')}"></script>
    <script src="${asset('start.js')}"></script>
  </body>
</html>
`;

/** Apollo's landing page, the page a browser gets at `/graphql`: GraphiQL. */
export function graphiqlLandingPage(): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: PAGE };
        },
      };
    },
  };
}

/** Serves GraphiQL's files at `/graphiql/…` outside production. */
@Injectable()
export class GraphiqlAssets implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    if (isProduction()) return;
    const http = this.adapterHost.httpAdapter;
    for (const [name, file] of Object.entries(ASSETS)) {
      const path = file();
      http.get(asset(name), (_request: unknown, response: { sendFile(path: string): void }) => response.sendFile(path));
    }
    http.get(asset('start.js'), (_request: unknown, response: { type(type: string): { send(body: string): void } }) => response.type('js').send(START_SCRIPT));
  }
}

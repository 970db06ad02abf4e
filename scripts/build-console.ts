// Bundles the operations console (console/) with esbuild into each host that serves it:
// dist/apps/<app>/console, beside the app's own build (the Dockerfile copies that folder).
import { build } from 'esbuild';
import { cp, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The apps that serve it (their `consoleFolder`): the all-in-one host, and the gateway of the distributed mode. */
const HOSTS = ['shop', 'gateway'];

for (const host of HOSTS) {
  const out = `${root}dist/apps/${host}/console`;
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: [`${root}console/src/main.tsx`],
    outfile: `${out}/console.js`,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    logLevel: 'warning',
  });
  await Promise.all(['index.html', 'console.css'].map((file) => cp(`${root}console/${file}`, `${out}/${file}`)));
}

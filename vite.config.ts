/// <reference types="vitest/config" />
// Vite config for the demo (index.html), the dev server used by the e2e tests, and the Node unit tests.
//
// Third-party weights are never committed: the `loupeAssets` plugin serves them straight from the npm
// packages in node_modules during `vite dev`/`vite preview` and copies them into `dist/` on `vite build`.
// The same goes for the WASM backend's binaries.
import { defineConfig, type Connect, type Plugin } from 'vite';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { servedAssets } from './models/assets.js';
import { docsPages } from './scripts/docs-pages.js';

const root = import.meta.dirname;

/** Map of URL path (from the site root) → file on disk, e.g. `/models/centernet.json`. */
function assetTable(): Map<string, string> {
  const table = new Map<string, string>();
  for (const asset of servedAssets) table.set(`/${asset.url}`, resolve(root, asset.file));
  return table;
}

const MIME: Record<string, string> = { '.json': 'application/json', '.bin': 'application/octet-stream', '.wasm': 'application/wasm' };

function loupeAssets(): Plugin {
  const table = assetTable();
  const serve: Connect.NextHandleFunction = (req, res, next) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const file = table.get(path);
    if (!file) return next();
    if (!existsSync(file)) {
      res.statusCode = 404;
      res.end(`Missing ${path}: run npm install (it comes from an npm package).`);
      return;
    }
    const ext = path.slice(path.lastIndexOf('.'));
    res.setHeader('Content-Type', MIME[ext] ?? 'application/octet-stream');
    res.setHeader('Content-Length', statSync(file).size);
    createReadStream(file).pipe(res);
  };
  return {
    name: 'loupe-assets',
    configureServer(server) {
      server.middlewares.use(serve);
    },
    configurePreviewServer(server) {
      server.middlewares.use(serve);
    },
    async generateBundle() {
      for (const [url, file] of table) {
        if (!existsSync(file)) continue;
        this.emitFile({ type: 'asset', fileName: url.slice(1), source: await readFile(file) });
      }
    },
  };
}

// Cross-origin isolation lets the WASM backend use threads (SharedArrayBuffer).
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // docsPages: the guides (docs/*.md) as pages of the docs site, in dev and in dist/docs/.
  plugins: [loupeAssets(), docsPages(root)],
  // The e2e server (LOUPE_NO_HMR=1) never reloads a page under test when a source file changes.
  server: { headers: isolationHeaders, port: 5173, hmr: process.env.LOUPE_NO_HMR ? false : undefined },
  preview: { headers: isolationHeaders, port: 4173 },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    // Not minified: tfjs's WASM backend starts its thread workers from the source text of a bundled
    // function, which mangling breaks (`_scriptDir is not defined` in the workers once the page is
    // cross-origin isolated, and the model never loads). See vite.lib.config.ts.
    minify: false,
    // The demo and the docs pages with their live examples (served at /docs/).
    rolldownOptions: {
      input: Object.fromEntries(
        ['index.html', ...['index', 'compose', 'engine', 'yolo', 'explain', 'reference'].map((page) => `docs/${page}.html`)].map((page) => [page.replace(/\.html$/, '').replace('/', '-'), resolve(root, page)]),
      ),
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'models/**/*.test.ts', 'components/**/*.test.ts', 'eval/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: on CI's 2 cores that is one file at a time.
    // The slow files are CPU-bound tfjs (CPU backend) runs, one core each, so two workers halve the wall time.
    maxWorkers: 2,
  },
});

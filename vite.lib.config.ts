// Vite library build (`npm run build:lib`): the elements and the engine as ES modules in dist/lib/.
//
//   vite build -c vite.lib.config.ts                  → dist/lib/loupe.js       tfjs and Lit inside, for a plain
//                                                       <script type="module">; copies models/ and tfjs-wasm/
//                                                       next to it (its default asset folders)
//   vite build -c vite.lib.config.ts --mode slim      → dist/lib/loupe.slim.js  imports @tensorflow/* and lit by
//                                                       name (for bundlers: one tfjs shared with the page)
//
// Types: `tsc -p tsconfig.lib.json` → dist/lib/types/. Third-party weights come from npm packages
// (models/assets.ts) and are never committed.
import { defineConfig, type Plugin } from 'vite';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { servedAssets } from './models/assets.js';

const root = import.meta.dirname;

/** Copies the model files and WASM binaries next to the bundle (URL layout of models/assets.ts). */
function copyAssets(): Plugin {
  return {
    name: 'loupe-lib-assets',
    async generateBundle() {
      for (const asset of servedAssets) {
        const file = resolve(root, asset.file);
        if (!existsSync(file)) {
          this.warn(`${asset.file} is missing (npm install / npm run models): ${asset.url} not copied.`);
          continue;
        }
        this.emitFile({ type: 'asset', fileName: asset.url, source: await readFile(file) });
      }
    },
  };
}

export default defineConfig(({ mode }) => {
  const slim = mode === 'slim';
  return {
    publicDir: false,
    // Emitted files (worker mode's Worker, assets/worker-entry-*.js) are found relative to the bundle
    // (`new URL('./assets/…', import.meta.url)`), wherever a site serves dist/lib/; the default '/' would
    // make that /assets/ at the site's root.
    base: './',
    plugins: slim ? [] : [copyAssets()],
    build: {
      target: 'es2022',
      outDir: 'dist/lib',
      // The self-contained build runs first and empties the folder; the slim one adds its file.
      emptyOutDir: !slim,
      chunkSizeWarningLimit: 8192,
      // Not minified: tfjs's WASM backend starts its thread workers from the *source text* of a bundled
      // function (`factory.toString()`), and mangling or compressing breaks that text (`_scriptDir is not
      // defined` in every worker with cross-origin isolation). Serve it gzip/brotli-compressed.
      minify: false,
      lib: {
        entry: resolve(root, slim ? 'lib/index.ts' : 'lib/bundle.ts'),
        formats: ['es'],
        fileName: () => (slim ? 'loupe.slim.js' : 'loupe.js'),
      },
      rolldownOptions: {
        external: slim ? [/^@tensorflow\//, /^lit($|\/)/, /^@lit\//] : [],
        output: { codeSplitting: false },
      },
    },
  };
});

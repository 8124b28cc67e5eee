// The built demo and the built library run under a strict Content-Security-Policy: no 'unsafe-eval', no
// 'unsafe-inline' scripts. `dist/` (npm run build) is served by a tiny static server with the policy as
// an HTTP header (and the COOP/COEP headers a site sends for WASM threads); the fake webcam feeds the
// demo, `auto` picks WASM here, and detections must arrive with no CSP violation reported (the
// `securitypolicyviolation` events of the page and of its workers' console). The directives and why
// each is needed: docs/security.md.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { root } from './chromium';

/**
 * The policy Loupe documents (docs/security.md), for a page that is not cross-origin isolated. The
 * elements run the engine in Loupe's Worker by default (docs/worker.md), a file of the build: `worker-src 'self'`.
 */
export const LOUPE_CSP = [
  "default-src 'self'",
  // WebAssembly compilation (the WASM backend). No 'unsafe-eval', no 'unsafe-inline' for scripts.
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  // Lit writes `style` attributes (positions, sizes, colours): attributes only, never script.
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The same for a cross-origin isolated page (COOP/COEP), where the WASM backend runs threads: its
 * Emscripten workers are created from blob: URLs and import their script from a blob: URL.
 */
export const LOUPE_CSP_THREADS = LOUPE_CSP.replace("script-src 'self' 'wasm-unsafe-eval'", "script-src 'self' 'wasm-unsafe-eval' blob:").replace(
  "worker-src 'self'",
  "worker-src 'self' blob:",
);

/** A page whose elements stay on the main thread (`worker="false"`) and is not isolated needs no worker at all. */
export const LOUPE_CSP_MAIN = LOUPE_CSP.replace("worker-src 'self'", "worker-src 'none'");

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.webm': 'video/webm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
};

/**
 * A page that embeds the library bundle with a script tag, no inline script (served at /csp-embed.html;
 * `?worker=true|auto|false` sets the element's `worker` attribute; absent: the default).
 */
const embedPage = (worker: string | null): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Loupe under CSP</title>
<script type="module" src="/lib/loupe.js"></script></head>
<body><loupe-live backend="wasm" layers="boxes heatmap"${worker === null ? '' : ` worker="${['auto', 'true', 'false'].includes(worker) ? worker : 'true'}"`}></loupe-live></body></html>`;

let server: Server;
let origin: string;
let policy = LOUPE_CSP;
let isolated = false;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  if (!existsSync(join(root, 'dist/index.html')) || !existsSync(join(root, 'dist/lib/loupe.js'))) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  }
  const base = join(root, 'dist');
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const pathname = decodeURIComponent(url.pathname);
    const headers: Record<string, string> = { 'Content-Security-Policy': policy, 'Cache-Control': 'no-store' };
    if (isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    if (pathname === '/csp-embed.html') {
      res.writeHead(200, { ...headers, 'Content-Type': MIME['.html']! }).end(embedPage(url.searchParams.get('worker')));
      return;
    }
    let file = normalize(join(base, pathname));
    if (!file.startsWith(base)) return void res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return void res.writeHead(404, headers).end('not found');
    res.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  origin = `http://localhost:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((done) => server?.close(done));
});

interface Watch {
  violations: string[];
  detections: number;
  backend: string | null;
  /** `loupe-backend`'s `thread` and `reason` (worker mode). */
  thread: string | null;
  reason: string | null;
  errors: string[];
}

/** Records CSP violations (page and workers), detections, the backend and Loupe errors. */
async function watch(page: Page): Promise<() => Promise<Watch>> {
  const consoleViolations: string[] = [];
  const onConsole = (text: string) => {
    if (/content security policy/i.test(text)) consoleViolations.push(text);
  };
  page.on('console', (msg) => onConsole(msg.text()));
  page.on('worker', (worker) => worker.on('console', (msg) => onConsole(`[worker] ${msg.text()}`)));
  page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
  await page.addInitScript(() => {
    const w = window as unknown as { csp: { violations: string[]; detections: number; backend: string | null; thread: string | null; reason: string | null; errors: string[] } };
    w.csp = { violations: [], detections: 0, backend: null, thread: null, reason: null, errors: [] };
    document.addEventListener('securitypolicyviolation', (e) => w.csp.violations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`));
    document.addEventListener('loupe-detections', () => (w.csp.detections += 1));
    document.addEventListener('loupe-backend', (e) => {
      const detail = (e as CustomEvent<{ backend: string; thread?: string; reason?: string }>).detail;
      w.csp.backend = detail.backend;
      w.csp.thread = detail.thread ?? null;
      w.csp.reason = detail.reason ?? null;
    });
    document.addEventListener('loupe-error', (e) => w.csp.errors.push(JSON.stringify((e as CustomEvent).detail)));
  });
  return async () => {
    const state = await page.evaluate(() => (window as unknown as { csp: Watch }).csp);
    return { ...state, violations: [...state.violations, ...consoleViolations] };
  };
}

for (const threads of [false, true]) {
  for (const { name, path } of [
    { name: 'the built demo on the main thread (dist/index.html?worker=false)', path: '/?worker=false' },
    { name: 'the library bundle on a plain page (dist/lib/loupe.js, <loupe-live worker="false">)', path: '/csp-embed.html?worker=false' },
  ]) {
    test(`${name} detects on WASM${threads ? ' with threads (cross-origin isolated)' : " under worker-src 'none'"} under the strict policy, no CSP violation`, async ({ page }) => {
      test.setTimeout(120_000);
      policy = threads ? LOUPE_CSP_THREADS : LOUPE_CSP_MAIN;
      isolated = threads;
      const read = await watch(page);
      const response = await page.goto(`${origin}${path}`);
      expect(response?.headers()['content-security-policy']).toBe(policy);
      await page.waitForFunction(() => (window as unknown as { csp: Watch }).csp.detections >= 3 || (window as unknown as { csp: Watch }).csp.errors.length > 0, null, {
        timeout: 90_000,
        polling: 500,
      });
      const state = await read();
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(threads);
      console.log(`${name}, threads ${threads}: ${state.detections} detections on ${state.backend}, violations ${JSON.stringify(state.violations)}`);
      expect(state.errors).toEqual([]);
      expect(state.backend).toBe('wasm');
      expect(state.detections).toBeGreaterThanOrEqual(3);
      expect(state.violations, 'CSP violations').toEqual([]);
    });
  }
}

for (const threads of [false, true]) {
  for (const { name, path, folder } of [
    // The default (no worker attribute): Loupe's Worker.
    { name: 'the built demo (dist/index.html)', path: '/?layers=boxes,heatmap', folder: '/assets/' },
    // The library's Worker file is found relative to loupe.js (dist/lib/assets/), not at the site's root.
    { name: 'the library bundle on a plain page (dist/lib/loupe.js)', path: '/csp-embed.html', folder: '/lib/assets/' },
  ]) {
    test(`${name} detects on WASM in Loupe's Worker by default${threads ? ' with threads (cross-origin isolated)' : ''} under the strict policy (worker-src 'self'), no CSP violation`, async ({ page }) => {
      test.setTimeout(120_000);
      policy = threads ? LOUPE_CSP_THREADS : LOUPE_CSP;
      isolated = threads;
      const workers: string[] = [];
      page.on('worker', (worker) => workers.push(worker.url()));
      const read = await watch(page);
      await page.goto(`${origin}${path}`);
      await page.waitForFunction(() => (window as unknown as { csp: Watch }).csp.detections >= 3 || (window as unknown as { csp: Watch }).csp.errors.length > 0, null, {
        timeout: 90_000,
        polling: 500,
      });
      const state = await read();
      console.log(`${name}, threads ${threads}: ${state.detections} detections on ${state.backend} (${state.thread}), workers ${JSON.stringify(workers)}, violations ${JSON.stringify(state.violations)}`);
      expect(state.errors).toEqual([]);
      expect(state.backend).toBe('wasm');
      expect(state.thread).toBe('worker');
      // Loupe's Worker is a file of the build, not a blob: URL.
      expect(workers.filter((url) => url.startsWith(`${origin}${folder}worker-entry-`) && url.endsWith('.js')), 'the Worker file').toHaveLength(1);
      expect(state.detections).toBeGreaterThanOrEqual(3);
      expect(state.violations, 'CSP violations').toEqual([]);
    });
  }
}

test("the default (worker=\"auto\") under a policy without worker-src 'self' runs on the main thread and says why (never silently)", async ({ page }) => {
  test.setTimeout(120_000);
  policy = LOUPE_CSP_MAIN;
  isolated = false;
  const read = await watch(page);
  await page.goto(`${origin}/csp-embed.html`);
  await page.waitForFunction(() => (window as unknown as { csp: Watch }).csp.detections >= 2 || (window as unknown as { csp: Watch }).csp.errors.length > 0, null, { timeout: 90_000, polling: 500 });
  const state = await read();
  console.log(`worker-src 'none', worker=auto: ${state.detections} detections on ${state.backend} (${state.thread}: ${state.reason}); violations ${JSON.stringify(state.violations)}`);
  expect(state.errors).toEqual([]);
  expect(state.backend).toBe('wasm');
  expect(state.thread).toBe('main');
  expect(state.reason).toMatch(/Worker/);
  // Said on screen too: the stats' "Why WASM on the main thread?" list names the reason.
  const shown = await page.evaluate(() => document.querySelector('loupe-live')?.shadowRoot?.querySelector('.stats li.thread')?.textContent ?? null);
  expect(shown).toContain(state.reason!);
  // The browser refused the Worker script under worker-src 'none': that is the one violation.
  expect(state.violations.join('\n')).toMatch(/worker-src/);
  expect(state.detections).toBeGreaterThanOrEqual(2);
});

test('the policy is enforced: without wasm-unsafe-eval the browser refuses to compile the WASM backend', async ({ page }) => {
  test.setTimeout(120_000);
  policy = LOUPE_CSP.replace(" 'wasm-unsafe-eval'", '');
  isolated = false;
  try {
    const read = await watch(page);
    await page.goto(`${origin}/csp-embed.html`);
    await page.waitForFunction(() => (window as unknown as { csp: Watch }).csp.violations.length > 0, null, { timeout: 60_000, polling: 500 });
    const state = await read();
    console.log(`without wasm-unsafe-eval: ${JSON.stringify(state.violations.slice(0, 2))}; errors ${JSON.stringify(state.errors)}`);
    expect(state.violations.join('\n')).toMatch(/script-src/);
  } finally {
    policy = LOUPE_CSP;
  }
});

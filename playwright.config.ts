/**
 * Playwright Test config for Loupe's browser tests (`npm run test:e2e`).
 *
 * The tests drive Debian's system Chromium (never `playwright install`) with software GPUs, against the
 * Vite dev server, which serves the model weights and WASM binaries from node_modules and sends the
 * COOP/COEP headers (threads for the WASM backend). Media come from `npm run fixtures`.
 *
 * Environment (see e2e/chromium.ts):
 *   LOUPE_CHROMIUM   Chromium executable (fallback CHROMIUM_PATH, default /usr/bin/chromium).
 *   LOUPE_E2E_PORT   Dev server port (default 5173).
 *   CI               Set: start a fresh dev server (locally an already running one on the port is reused).
 *
 * Timeouts are generous on purpose: on SwiftShader a CenterNet-512 frame takes ~10 s with WebGL and
 * 30–40 s with WebGPU (the first 30–70 s: shader compilation); WASM takes ~0.3 s. Each GPU spec sets its
 * own budget with test.setTimeout().
 */
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './e2e/chromium';

const port = Number(process.env.LOUPE_E2E_PORT ?? 5173);
const baseURL = `http://localhost:${port}`;

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // The 1,000-frame soak test runs on its own: npm run test:soak (playwright.soak.config.ts).
  testIgnore: '**/soak.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  outputDir: 'test-results',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    baseURL,
    browserName: 'chromium',
    launchOptions: chromiumLaunchOptions(),
    viewport: { width: 1100, height: 900 },
    deviceScaleFactor: 1,
    permissions: ['camera'],
    actionTimeout: 30_000,
    navigationTimeout: 120_000,
    screenshot: 'only-on-failure',
    trace: 'off',
  },
  webServer: {
    command: `npx vite --port ${port} --strictPort`,
    env: { LOUPE_NO_HMR: '1' },
    url: `${baseURL}/e2e/pages/live.html`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});

// c'. backend="auto" when Chromium offers no WebGPU adapter at all (launched without the WebGPU flags):
// WebGPU is skipped as unavailable (not as software), WebGL as software, and WASM runs.
import { expect, test } from '@playwright/test';
import { chromiumLaunchOptions } from './chromium';
import { openLive, waitForFrames } from './helpers';

test.use({ launchOptions: chromiumLaunchOptions({ webgpu: false }) });

test('auto without WebGPU flags picks wasm and says webgpu is unavailable', async ({ page }) => {
  test.setTimeout(120_000);
  await openLive(page, { backend: 'auto', layers: 'boxes' });
  const state = await waitForFrames(page, 1, 90_000);
  const report = state.backend!;
  console.log(`loupe-backend: ${JSON.stringify(report)}`);
  expect(report.backend).toBe('wasm');
  const webgpu = report.skipped.find((s) => s.backend === 'webgpu');
  expect(webgpu?.reason, 'webgpu skipped as unavailable, not as software').toMatch(/no webgpu adapter|not available|unavailable|no navigator\.gpu|offers no/i);
  expect(webgpu?.reason).not.toMatch(/software/i);
  expect(report.skipped.find((s) => s.backend === 'webgl')?.reason).toMatch(/software|swiftshader/i);
});

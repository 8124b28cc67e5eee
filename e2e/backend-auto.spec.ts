// c. backend="auto" on a machine whose GPUs are software (SwiftShader, with the WebGPU flags on so that
// WebGPU is *available*): Loupe must pick WASM and say why it passed over WebGPU and WebGL.
import { expect, test } from '@playwright/test';
import { expectPeopleFound, openLive, waitForFrames } from './helpers';

test('auto picks wasm and explains why webgpu and webgl were skipped', async ({ page }) => {
  test.setTimeout(120_000);
  await openLive(page, { backend: 'auto', layers: 'boxes' });
  const state = await waitForFrames(page, 3, 90_000);
  const report = state.backend!;
  console.log(`loupe-backend: ${JSON.stringify(report)}`);
  expect(report.backend).toBe('wasm');
  expect(report.device).toMatch(/cpu|wasm|webassembly/i);
  const reason = (name: string): string => report.skipped.find((s) => s.backend === name)?.reason ?? '';
  expect(report.skipped.map((s) => s.backend).sort()).toEqual(['webgl', 'webgpu']);
  // Available but software: the reasons must say so (not "unavailable"), naming the software device.
  expect(reason('webgpu')).toMatch(/software|swiftshader|fallback/i);
  expect(reason('webgpu')).not.toMatch(/unavailable|not available|no webgpu adapter|no adapter/i);
  expect(reason('webgl')).toMatch(/software|swiftshader/i);
  for (const frame of state.detections) expect(frame.backend).toBe('wasm');
  expectPeopleFound(state.detections);
  // WASM is the fast path here (~0.3–0.4 s a frame); anything near a GPU frame time means a wrong backend.
  const infer = state.detections.slice(1).map((d) => d.timings.total);
  expect(Math.min(...infer), 'WASM frame time (ms)').toBeLessThan(3_000);
});

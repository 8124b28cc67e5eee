// a. <loupe-live backend="webgpu" layers="boxes heatmap"> on SwiftShader WebGPU with the street clip as
// the webcam. ~30–40 s a frame, the first 30–70 s (shader compilation): two frames, five minutes at most.
import { test } from '@playwright/test';
import { checkLiveOnGpu } from './helpers';

test('webgpu: people detected on people, heatmap on people not on the lawn', async ({ page }) => {
  test.setTimeout(300_000);
  await checkLiveOnGpu(page, 'webgpu', 2, 270_000);
});

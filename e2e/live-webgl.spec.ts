// b. The same on SwiftShader WebGL (~10 s a frame): three frames, three minutes at most.
import { test } from '@playwright/test';
import { checkLiveOnGpu } from './helpers';

test('webgl: people detected on people, heatmap on people not on the lawn', async ({ page }) => {
  test.setTimeout(180_000);
  await checkLiveOnGpu(page, 'webgl', 3, 150_000);
});

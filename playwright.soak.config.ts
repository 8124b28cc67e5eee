/**
 * The soak test (e2e/soak.spec.ts: 1,000 WASM detections, memory flat), kept out of `npm test` because it
 * takes minutes. `npm run test:soak`; `.ci/run` runs it after `npm test`. LOUPE_SOAK_FRAMES=200 for a
 * short local run, LOUPE_SOAK_TIMEOUT_MIN (default 40) on a slow machine.
 */
import { defineConfig } from '@playwright/test';
import base from './playwright.config';

export default defineConfig({ ...base, testMatch: '**/soak.spec.ts', testIgnore: [], timeout: 90 * 60_000 });

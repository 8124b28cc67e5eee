/**
 * How the e2e tests launch Chromium: Debian's system Chromium (Playwright's own browsers are never
 * downloaded), software GPUs (SwiftShader) for WebGL and WebGPU, and a fake webcam that loops the
 * street clip made by `npm run fixtures`.
 *
 * Environment:
 *   LOUPE_CHROMIUM    Chromium/Chrome executable (fallback CHROMIUM_PATH, default /usr/bin/chromium).
 *   LOUPE_E2E_PORT    Port of the Vite dev server the tests start (default 5173).
 *   CI                Set on CI: never reuse an already running dev server.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LaunchOptions } from '@playwright/test';

export const root = resolve(import.meta.dirname, '..');

/** The fake webcam's clip (768×576, source frames 0–59 at 10 fps, looped). Made by `npm run fixtures`. */
export const fakeCameraClip = resolve(root, 'e2e/fixtures/generated/street.mjpeg');

/** Where tests leave screenshots worth keeping (gitignored; CI uploads it). */
export const artifactsDir = resolve(root, 'e2e/artifacts');

export const chromiumPath = process.env.LOUPE_CHROMIUM || process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export interface ChromiumFlags {
  /** WebGPU on SwiftShader (default true). Without it `navigator.gpu.requestAdapter()` returns null. */
  webgpu?: boolean;
  /** Fake camera playing the street clip (default true). */
  fakeCamera?: boolean;
}

export function chromiumArgs({ webgpu = true, fakeCamera = true }: ChromiumFlags = {}): string[] {
  const args = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
  // Chromium refuses to start its sandbox as root (CI containers run as root).
  if (isRoot) args.push('--no-sandbox');
  if (webgpu) args.push('--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--use-angle=swiftshader');
  if (fakeCamera) {
    args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${fakeCameraClip}`);
  }
  return args;
}

export function chromiumLaunchOptions(flags: ChromiumFlags = {}): LaunchOptions {
  return { executablePath: chromiumPath, args: chromiumArgs(flags) };
}

/** Thrown early (global setup) with an actionable message instead of a cryptic launch failure. */
export function checkPrerequisites(): void {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}. Install it (Debian: apt-get install chromium) or set LOUPE_CHROMIUM.`);
  }
  if (!existsSync(fakeCameraClip)) {
    throw new Error(`Fake camera clip ${fakeCameraClip} is missing: run \`npm run fixtures\` first.`);
  }
}

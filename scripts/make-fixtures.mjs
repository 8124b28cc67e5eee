#!/usr/bin/env node
// Makes the test and demo media from OpenCV's street clip (`vtest.avi`, Debian package `opencv-doc`,
// Apache-2.0 / BSD-3-Clause per the package's copyright file).
//
//   node scripts/make-fixtures.mjs            # make whatever is missing (idempotent)
//   node scripts/make-fixtures.mjs --force    # remake everything
//
// Outputs:
//   e2e/fixtures/generated/street.mjpeg           gitignored; Chromium's fake webcam (--use-file-for-fake-video-capture)
//   public/samples/street.webm                    committed; the demo's clip when there is no camera
//   models/centernet/fixtures/street-frame.jpg    committed; one frame for the Node unit tests
//
// Needs `ffmpeg` (installed with apt-get when missing and running as root) and `apt-get download` +
// `dpkg-deb` to fetch opencv-doc (Debian/Ubuntu). Set LOUPE_VTEST=/path/to/vtest.avi to skip the download.
// The .deb is cached in node_modules/.cache/loupe-fixtures/ (only vtest.avi is kept, ~8 MB).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const cacheDir = join(root, 'node_modules', '.cache', 'loupe-fixtures');
const VTEST_IN_DEB = 'usr/share/doc/opencv-doc/examples/data/vtest.avi';

// The fake-camera segment is defined next to its person annotations, so the two cannot drift apart.
const clip = JSON.parse(readFileSync(join(root, 'e2e', 'fixtures', 'street-people.json'), 'utf8'));
const CAMERA_FIRST = clip.firstFrame; // first source frame (10 fps) of the fake-camera loop
const CAMERA_FRAMES = clip.frameCount; // number of source frames in the loop

const DEMO_FIRST = 0; // public/samples/street.webm: source frames [0, 100) = 10 s
const DEMO_FRAMES = 100;
const STILL_FRAME = 0; // models/centernet/fixtures/street-frame.jpg

const outputs = {
  camera: join(root, 'e2e', 'fixtures', 'generated', 'street.mjpeg'),
  demo: join(root, 'public', 'samples', 'street.webm'),
  still: join(root, 'models', 'centernet', 'fixtures', 'street-frame.jpg'),
};

const log = (msg) => console.log(`[fixtures] ${msg}`);
const fail = (msg) => {
  console.error(`[fixtures] ERROR: ${msg}`);
  process.exit(1);
};
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const rel = (p) => p.slice(root.length + 1);
const kb = (p) => `${Math.round(statSync(p).size / 1024)} KB`;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

const missing = Object.entries(outputs).filter(([, p]) => force || !existsSync(p));
if (missing.length === 0) {
  log(`all fixtures present (${Object.values(outputs).map(rel).join(', ')}); nothing to do (--force remakes them)`);
  process.exit(0);
}

// --- ffmpeg -------------------------------------------------------------------------------------------
if (!has('ffmpeg')) {
  if (isRoot && has('apt-get')) {
    log('ffmpeg not found: installing it with apt-get');
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'ffmpeg'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } else {
    fail('ffmpeg is not installed. Install it (Debian/Ubuntu: `sudo apt-get install -y ffmpeg`) and rerun `npm run fixtures`.');
  }
}

// --- vtest.avi ----------------------------------------------------------------------------------------
function findVtest() {
  if (process.env.LOUPE_VTEST) {
    if (!existsSync(process.env.LOUPE_VTEST)) fail(`LOUPE_VTEST=${process.env.LOUPE_VTEST} does not exist`);
    return process.env.LOUPE_VTEST;
  }
  const cached = join(cacheDir, 'vtest.avi');
  if (existsSync(cached)) return cached;
  if (!has('apt-get') || !has('dpkg-deb')) {
    fail('need apt-get and dpkg-deb to fetch opencv-doc (or set LOUPE_VTEST=/path/to/vtest.avi from OpenCV samples/data).');
  }
  mkdirSync(cacheDir, { recursive: true });
  log('downloading Debian package opencv-doc (~95 MB) for vtest.avi');
  let r = spawnSync('apt-get', ['download', '-q', 'opencv-doc'], { cwd: cacheDir, stdio: ['ignore', 'inherit', 'pipe'] });
  if (r.status !== 0 && isRoot) {
    log('apt-get download failed; refreshing the package lists and retrying');
    run('apt-get', ['update', '-qq']);
    r = spawnSync('apt-get', ['download', '-q', 'opencv-doc'], { cwd: cacheDir, stdio: ['ignore', 'inherit', 'pipe'] });
  }
  const debs = readdirSync(cacheDir).filter((f) => /^opencv-doc_.*\.deb$/.test(f));
  if (r.status !== 0 || debs.length === 0) {
    fail(`apt-get download opencv-doc failed:\n${r.stderr?.toString() ?? ''}\n(as non-root, run \`sudo apt-get update\` first, or set LOUPE_VTEST)`);
  }
  const deb = join(cacheDir, debs[0]);
  // Extract just the one file (same content as `dpkg -x`), then drop the big .deb.
  const tmp = join(cacheDir, 'x');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  execFileSync('sh', ['-c', `dpkg-deb --fsys-tarfile "$0" | tar -x -C "$1" "./${VTEST_IN_DEB}"`, deb, tmp], { stdio: 'inherit' });
  renameSync(join(tmp, VTEST_IN_DEB), cached);
  rmSync(tmp, { recursive: true, force: true });
  rmSync(deb);
  log(`cached ${rel(cached)} (${kb(cached)}) from ${debs[0]}`);
  return cached;
}

const vtest = findVtest();
const ffmpeg = (args) => run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
/** Writes to a temp name and renames, so an interrupted run never leaves a half-made output behind. */
function make(key, describe, produce) {
  const out = outputs[key];
  if (!force && existsSync(out)) {
    log(`${rel(out)} exists, skipped`);
    return;
  }
  mkdirSync(dirname(out), { recursive: true });
  const tmp = out.replace(/(\.[^.]+)$/, '.tmp$1');
  const t0 = Date.now();
  produce(tmp);
  renameSync(tmp, out);
  log(`${rel(out)}: ${describe} (${kb(out)}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
const trim = (first, count) => `trim=start_frame=${first}:end_frame=${first + count},setpts=PTS-STARTPTS`;

// Fake webcam. Chromium plays a .mjpeg (a bare concatenation of JPEG frames) at a fixed 30 fps whatever
// the source rate (a .y4m honours its header's rate but is raw: ~40 MB for 6 s), so each 10 fps source
// frame is repeated 3 times to play in real time. The camera loops it at 768×576.
make('camera', `source frames ${CAMERA_FIRST}–${CAMERA_FIRST + CAMERA_FRAMES - 1}, 768×576, played at 30 fps (each frame ×3)`, (tmp) =>
  ffmpeg(['-i', vtest, '-vf', `${trim(CAMERA_FIRST, CAMERA_FRAMES)},fps=30`, '-an', '-c:v', 'mjpeg', '-q:v', '5', '-pix_fmt', 'yuvj420p', '-f', 'mjpeg', tmp]),
);

// Demo clip: 10 s, 768×576, 10 fps, VP9 two-pass at ~500 kb/s (≈ 600 KB), a keyframe every 5 s.
make('demo', `source frames ${DEMO_FIRST}–${DEMO_FIRST + DEMO_FRAMES - 1}, 768×576, 10 fps, VP9`, (tmp) => {
  const passlog = join(dirname(tmp), 'street-vp9');
  const common = ['-i', vtest, '-vf', trim(DEMO_FIRST, DEMO_FRAMES), '-an', '-c:v', 'libvpx-vp9', '-b:v', '500k', '-g', '50', '-pix_fmt', 'yuv420p', '-passlogfile', passlog];
  ffmpeg([...common, '-pass', '1', '-deadline', 'good', '-cpu-used', '4', '-f', 'webm', '/dev/null']);
  ffmpeg([...common, '-pass', '2', '-deadline', 'good', '-cpu-used', '2', '-metadata', 'title=OpenCV vtest.avi (frames 0-99)', '-f', 'webm', tmp]);
  for (const f of readdirSync(dirname(tmp))) if (f.startsWith('street-vp9')) rmSync(join(dirname(tmp), f));
});

// Still for Node unit tests: baseline JPEG (decodable by pure-JS decoders), ~65 KB.
make('still', `source frame ${STILL_FRAME}, 768×576 baseline JPEG`, (tmp) =>
  ffmpeg(['-i', vtest, '-vf', `select=eq(n\\,${STILL_FRAME})`, '-frames:v', '1', '-q:v', '3', '-pix_fmt', 'yuvj420p', tmp]),
);

log('done');

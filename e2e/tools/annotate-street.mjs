#!/usr/bin/env node
// Dev tool (not run by the tests): finds where the people are in the fake-camera segment of OpenCV's
// street clip, independently of any detector, and writes e2e/fixtures/street-people.json.
//
// Method: the camera is static, so a per-pixel median over the whole clip (every 4th of its 795 frames)
// is the empty scene; in each segment frame, pixels differing from it by more than THRESHOLD in some
// channel are "moving", a 3×3 closing joins them, 8-connected blobs of ≥ MIN_AREA px become boxes,
// blobs stacked vertically (head / legs of one person) are merged, and flat boxes (the striped tape
// flapping in the wind) are dropped. Blobs of people walking
// together stay one box. Check the result by eye with --png (boxes drawn on every 10th frame).
//
//   node e2e/tools/annotate-street.mjs [--vtest path/to/vtest.avi] [--first 0] [--count 60] [--png /tmp/dir]
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const vtest = arg('vtest', process.env.LOUPE_VTEST ?? join(root, 'node_modules/.cache/loupe-fixtures/vtest.avi'));
const FIRST = Number(arg('first', 0));
const COUNT = Number(arg('count', 60));
const pngDir = arg('png', null);
const W = 768;
const H = 576;
const FRAME = W * H * 3;
const THRESHOLD = 40;
const MIN_AREA = 60;
const MIN_HEIGHT = 20;
const outFile = join(root, 'e2e/fixtures/street-people.json');

if (!existsSync(vtest)) throw new Error(`${vtest} not found (run npm run fixtures, or pass --vtest)`);

/** Calls onFrame(index, rgbBuffer) for every decoded frame. */
function decode(onFrame) {
  return new Promise((res, rej) => {
    const p = spawn('ffmpeg', ['-loglevel', 'error', '-i', vtest, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let pending = [];
    let size = 0;
    let n = 0;
    p.stdout.on('data', (chunk) => {
      pending.push(chunk);
      size += chunk.length;
      while (size >= FRAME) {
        const all = Buffer.concat(pending);
        onFrame(n++, all.subarray(0, FRAME));
        const rest = all.subarray(FRAME);
        pending = rest.length ? [Buffer.from(rest)] : [];
        size = rest.length;
      }
    });
    p.on('close', (code) => (code === 0 ? res(n) : rej(new Error(`ffmpeg exited ${code}`))));
  });
}

const samples = [];
const segment = [];
const total = await decode((i, buf) => {
  if (i % 4 === 0) samples.push(Buffer.from(buf));
  if (i >= FIRST && i < FIRST + COUNT) segment.push(Buffer.from(buf));
});
console.log(`decoded ${total} frames; median over ${samples.length}`);

const bg = Buffer.alloc(FRAME);
const hist = new Uint16Array(256);
const half = samples.length / 2;
for (let k = 0; k < FRAME; k++) {
  hist.fill(0);
  for (const s of samples) hist[s[k]]++;
  let acc = 0;
  let v = 0;
  for (; v < 256; v++) if ((acc += hist[v]) >= half) break;
  bg[k] = v;
}

function boxesOf(frame) {
  const raw = new Uint8Array(W * H);
  for (let p = 0; p < W * H; p++) {
    const d = Math.max(Math.abs(frame[3 * p] - bg[3 * p]), Math.abs(frame[3 * p + 1] - bg[3 * p + 1]), Math.abs(frame[3 * p + 2] - bg[3 * p + 2]));
    raw[p] = d > THRESHOLD ? 1 : 0;
  }
  const morph = (src, dilate) => {
    const out = new Uint8Array(W * H);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        let hit = dilate ? 0 : 1;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const yy = Math.min(H - 1, Math.max(0, y + dy));
            const xx = Math.min(W - 1, Math.max(0, x + dx));
            const v = src[yy * W + xx];
            if (dilate && v) hit = 1;
            if (!dilate && !v) hit = 0;
          }
        out[y * W + x] = hit;
      }
    return out;
  };
  const mask = morph(morph(raw, true), false);
  const label = new Int32Array(W * H);
  const blobs = [];
  const stack = [];
  for (let p = 0; p < W * H; p++) {
    if (!mask[p] || label[p]) continue;
    const b = { x0: W, y0: H, x1: 0, y1: 0, area: 0 };
    label[p] = blobs.length + 1;
    stack.push(p);
    while (stack.length) {
      const q = stack.pop();
      const x = q % W;
      const y = (q / W) | 0;
      b.area++;
      b.x0 = Math.min(b.x0, x);
      b.x1 = Math.max(b.x1, x);
      b.y0 = Math.min(b.y0, y);
      b.y1 = Math.max(b.y1, y);
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
          const r = yy * W + xx;
          if (mask[r] && !label[r]) {
            label[r] = blobs.length + 1;
            stack.push(r);
          }
        }
    }
    blobs.push(b);
  }
  let boxes = blobs.filter((b) => b.area >= MIN_AREA);
  // Merge blobs that overlap horizontally and are within 12 px vertically (split bodies).
  let merged = true;
  while (merged) {
    merged = false;
    outer: for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const c = boxes[j];
        const xOverlap = Math.min(a.x1, c.x1) - Math.max(a.x0, c.x0);
        const yGap = Math.max(a.y0, c.y0) - Math.min(a.y1, c.y1);
        if (xOverlap > 0.5 * Math.min(a.x1 - a.x0, c.x1 - c.x0) && yGap < 12) {
          boxes[i] = { x0: Math.min(a.x0, c.x0), y0: Math.min(a.y0, c.y0), x1: Math.max(a.x1, c.x1), y1: Math.max(a.y1, c.y1), area: a.area + c.area };
          boxes.splice(j, 1);
          merged = true;
          break outer;
        }
      }
  }
  // People are upright: drop flat blobs (the striped tape flapping in the wind) and specks.
  return boxes
    .map((b) => [b.x0, b.y0, b.x1 - b.x0 + 1, b.y1 - b.y0 + 1])
    .filter(([, , w, h]) => h >= MIN_HEIGHT && h >= 0.6 * w)
    .sort((a, b) => a[0] - b[0]);
}

const frames = segment.map(boxesOf);

function drawPng(frame, boxes, file) {
  const img = Buffer.from(frame);
  const put = (x, y) => {
    if (x < 0 || y < 0 || x >= W || y >= H) return;
    img[3 * (y * W + x)] = 255;
    img[3 * (y * W + x) + 1] = 0;
    img[3 * (y * W + x) + 2] = 255;
  };
  for (const [x, y, w, h] of boxes) {
    for (let i = x; i < x + w; i++) {
      put(i, y);
      put(i, y + h - 1);
    }
    for (let j = y; j < y + h; j++) {
      put(x, j);
      put(x + w - 1, j);
    }
  }
  return new Promise((res) => {
    const p = spawn('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-i', '-', file], { stdio: ['pipe', 'inherit', 'inherit'] });
    p.on('close', res);
    p.stdin.end(img);
  });
}
if (pngDir) {
  mkdirSync(pngDir, { recursive: true });
  for (let i = 0; i < COUNT; i += 10) await drawPng(segment[i], frames[i], join(pngDir, `frame-${FIRST + i}.png`));
  await drawPng(bg, [], join(pngDir, 'background.png'));
}

const previous = existsSync(outFile) ? JSON.parse(readFileSync(outFile, 'utf8')) : {};
const out = {
  ...previous,
  source: 'OpenCV samples/data/vtest.avi (Debian opencv-doc), 768x576, 10 fps',
  firstFrame: FIRST,
  frameCount: COUNT,
  method: `e2e/tools/annotate-street.mjs: median background over every 4th frame of the clip, |frame - bg| > ${THRESHOLD} in any channel, 3x3 closing, blobs >= ${MIN_AREA} px, vertically split blobs merged, boxes kept if height >= ${MIN_HEIGHT} px and >= 0.6 x width; checked by eye`,
  // One list per segment frame: [x, y, width, height] in source pixels of each moving person (or group).
  people: frames,
};
writeFileSync(outFile, JSON.stringify(out, null, 1).replace(/\[\n\s+(\d+),\n\s+(\d+),\n\s+(\d+),\n\s+(\d+)\n\s+\]/g, '[$1, $2, $3, $4]') + '\n');
console.log(`wrote ${outFile}: ${frames.map((f) => f.length).join(' ')}`);

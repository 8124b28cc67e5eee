// `npm run eval -- --track`: multi-object tracking on a video with MOTChallenge ground truth.
//
//   npm run eval -- --track --video vtest.avi --gt vtest-15s.gt.txt [--baselines] [--json] …   (--help for all)
//
// ffmpeg decodes the video into PNG frames in a temporary folder (every frame, in order, frame-exact);
// the eval page (eval/page.html) runs the real detector on each with the frame's time, and this process
// runs Loupe's tracker (src/track/) over the boxes of one class and scores the ids it gave the detections
// with eval/mot.ts (CLEAR-MOT and identity metrics, as the MOTChallenge devkit). The detections are cached
// (node_modules/.cache/loupe-eval/, keyed on the video file and the detector settings), so rerunning with
// other tracker settings takes seconds; `--detections FILE` scores a saved file without a browser.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, fetchModels, loadModules, openEvalPage, parseNumber, progress, root } from './harness.mjs';

const FRAMES_URL = '/@loupe-eval/frames/';
const CACHE_DIR = join(root, 'node_modules', '.cache', 'loupe-eval');

const USAGE = `Usage: npm run eval -- --track --video <file> --gt <MOTChallenge gt.txt> [options]

Detects every frame of the video in headless Chromium, links the boxes of one class into tracks with
Loupe's tracker and prints MOTA, IDF1, identity switches, FP, FN and MOTP (MOTChallenge devkit rules,
IoU ≥ 0.5), and more (IDP, IDR, MT, ML).

  --video FILE             any video ffmpeg reads (vtest.avi, .mp4, .webm, .mjpeg …); frame n of the
                           file is frame n of the ground truth (1-based)
  --gt FILE                ground truth: frame, id, left, top, width, height, … per line
  --frames N               score frames 1..N (default: the last frame of the ground truth)
  --fps F                  frame rate (default: the video's; a bare .mjpeg has none: give it)
  --class NAME             the model label that is tracked and scored (default person)
  --model ID               detector (default centernet; as in npm run eval -- --help)
  --backend NAME           wasm (default), webgl, webgpu, cpu or auto
  --detect-threshold S     lowest score the detector returns (default 0.05; the tracker's lowScore
                           must not be below it)
  --input-size N, --rect-input, --ingest auto|canvas|tensor    as in npm run eval -- --help
  --track-options JSON     TrackOptions for the tracker, e.g. '{"trackBufferMs":2000}' (default: its defaults)
  --baselines              also score the greedy IoU tracker a user writes by hand (docs/tracking.md)
  --detections FILE        score detections saved by --save-detections instead of running the detector
  --save-detections FILE   write the per-frame detections (JSON) for --detections
  --save-tracks FILE       write Loupe's tracks in MOTChallenge results format
  --no-cache               run the detector even when the cache has this video's detections
  --json                   print one JSON object {MOTA, IDF1, IDsw, FP, FN, MOTP, …} and nothing else on stdout
  --help                   this text
`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      video: { type: 'string' },
      gt: { type: 'string' },
      frames: { type: 'string' },
      fps: { type: 'string' },
      class: { type: 'string', default: 'person' },
      model: { type: 'string', default: 'centernet' },
      backend: { type: 'string', default: 'wasm' },
      'detect-threshold': { type: 'string', default: '0.05' },
      'input-size': { type: 'string' },
      'rect-input': { type: 'boolean', default: false },
      ingest: { type: 'string', default: 'auto' },
      'track-options': { type: 'string' },
      baselines: { type: 'boolean', default: false },
      detections: { type: 'string' },
      'save-detections': { type: 'string' },
      'save-tracks': { type: 'string' },
      'no-cache': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  if (!values.gt) throw new UsageError('--gt <MOTChallenge gt.txt> is required.');
  if (!values.video && !values.detections) throw new UsageError('--video <file> is required (or --detections <saved file>).');
  const file = (name, path) => {
    const full = resolve(path);
    if (!existsSync(full) || !statSync(full).isFile()) throw new UsageError(`--${name} ${path}: no such file.`);
    return full;
  };
  if (!['wasm', 'webgl', 'webgpu', 'cpu', 'auto'].includes(values.backend)) throw new UsageError(`--backend ${values.backend}: expected wasm, webgl, webgpu, cpu or auto.`);
  if (!['auto', 'canvas', 'tensor'].includes(values.ingest)) throw new UsageError(`--ingest ${values.ingest}: expected auto, canvas or tensor.`);
  let trackOptions = {};
  if (values['track-options'] !== undefined) {
    try {
      trackOptions = JSON.parse(values['track-options']);
    } catch (error) {
      throw new UsageError(`--track-options is not JSON: ${error.message}`);
    }
  }
  const optional = (name, parse) => (values[name] === undefined ? undefined : parse(name, values[name]));
  return {
    video: values.video && file('video', values.video),
    gt: file('gt', values.gt),
    frames: optional('frames', (n, t) => parseNumber(n, t, { integer: true, min: 1 })),
    fps: optional('fps', (n, t) => parseNumber(n, t, { min: 0.001 })),
    className: values.class,
    model: values.model,
    backend: values.backend,
    detectThreshold: parseNumber('detect-threshold', values['detect-threshold'], { min: 0, max: 1 }),
    inputSize: optional('input-size', (n, t) => parseNumber(n, t, { integer: true, min: 1 })),
    rectInput: values['rect-input'],
    ingest: values.ingest,
    trackOptions,
    baselines: values.baselines,
    detections: values.detections && file('detections', values.detections),
    saveDetections: values['save-detections'] && resolve(values['save-detections']),
    saveTracks: values['save-tracks'] && resolve(values['save-tracks']),
    cache: !values['no-cache'],
    json: values.json,
  };
}

function ffprobeVideo(video) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,avg_frame_rate,r_frame_rate', '-of', 'json', video], { encoding: 'utf8' });
  if (r.error?.code === 'ENOENT') throw new UsageError('ffprobe/ffmpeg not found: install ffmpeg (Debian: apt-get install ffmpeg).');
  if (r.status !== 0) throw new UsageError(`ffprobe cannot read ${video}: ${r.stderr.trim()}`);
  const stream = JSON.parse(r.stdout).streams?.[0];
  if (!stream) throw new UsageError(`${video} has no video stream.`);
  const rate = (text) => {
    const [a, b] = String(text ?? '0/0').split('/').map(Number);
    return b > 0 ? a / b : 0;
  };
  return { width: stream.width, height: stream.height, fps: rate(stream.avg_frame_rate) || rate(stream.r_frame_rate) };
}

/** Frames 1..count of the video as PNGs (000001.png …) in a new temporary folder. */
function decodeFrames(video, count) {
  const folder = mkdtempSync(join(tmpdir(), 'loupe-eval-frames-'));
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', video, '-frames:v', String(count), '-vsync', 'passthrough', '-start_number', '1', join(folder, '%06d.png')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    rmSync(folder, { recursive: true, force: true });
    throw new Error(`ffmpeg could not decode ${video}.`);
  }
  return { folder, count: readdirSync(folder).filter((f) => f.endsWith('.png')).length };
}

function cacheKey(options, frames, fps) {
  const stat = statSync(options.video);
  const key = { video: options.video, size: stat.size, mtime: stat.mtimeMs, frames, fps, model: options.model, backend: options.backend, threshold: options.detectThreshold, inputSize: options.inputSize, rectInput: options.rectInput, ingest: options.ingest };
  return createHash('sha1').update(JSON.stringify(key)).digest('hex').slice(0, 16);
}

/** Runs the detector on frames 1..frames of the video in Chromium: the DetectionsFile of eval/track-frames.ts. */
async function detectVideo(options, frames) {
  const probe = ffprobeVideo(options.video);
  const fps = options.fps ?? probe.fps;
  if (!(fps > 0)) throw new UsageError(`${options.video} has no frame rate: give --fps.`);
  const cacheFile = join(CACHE_DIR, `track-${cacheKey(options, frames, fps)}.json`);
  if (options.cache && existsSync(cacheFile)) {
    process.stderr.write(`Detections from the cache: ${cacheFile}\n`);
    return JSON.parse(readFileSync(cacheFile, 'utf8'));
  }
  fetchModels();
  process.stderr.write(`Decoding ${frames} frames of ${options.video} …\n`);
  const decoded = decodeFrames(options.video, frames);
  const session = await openEvalPage(new Map([[FRAMES_URL, decoded.folder]]));
  try {
    const { page } = session;
    // The real API path: createDetector({ track }) with each frame's time. The score threshold is the
    // lowest kept for the cache; boxes that continue a track carry their trackId.
    const loadOptions = { model: options.model, backend: options.backend, scoreThreshold: options.detectThreshold, maxDetections: 100, inputSize: options.inputSize, ingest: options.ingest, rectInput: options.rectInput, track: options.trackOptions };
    const info = await page.evaluate((o) => window.loupeEval.load(o), loadOptions);
    const result = { video: options.video, model: options.model, backend: info.backend.backend, labels: info.labels, fps, width: probe.width, height: probe.height, scoreThreshold: options.detectThreshold, trackOptions: options.trackOptions, frames: [] };
    for (let frame = 1; frame <= decoded.count; frame++) {
      const url = `${FRAMES_URL}${String(frame).padStart(6, '0')}.png`;
      const timestamp = ((frame - 1) * 1000) / fps;
      const detected = await page.evaluate(([u, t]) => window.loupeEval.detect(u, undefined, t), [url, timestamp]);
      const trackIds = detected.detections.map((d) => d.trackId);
      const detections = detected.detections.map(({ trackId: _, ...d }) => d);
      result.frames.push({ frame, timestamp, detections, trackIds });
      progress(`[${frame}/${decoded.count}] ${detected.ms.toFixed(0)} ms, ${detected.detections.length} detections`);
    }
    if (process.stderr.isTTY) process.stderr.write('\n');
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(cacheFile, JSON.stringify(result));
    return result;
  } finally {
    await session.close();
    rmSync(decoded.folder, { recursive: true, force: true });
  }
}

const pct = (v) => (Number.isFinite(v) ? (100 * v).toFixed(1) : '–');

function row(name, m) {
  return `${name.padEnd(34)} ${pct(m.MOTA).padStart(5)} ${pct(m.IDF1).padStart(5)} ${String(m.IDsw).padStart(4)} ${String(m.FP).padStart(5)} ${String(m.FN).padStart(5)} ${pct(m.MOTP).padStart(5)} ${pct(m.IDP).padStart(5)} ${pct(m.IDR).padStart(5)} ${String(m.MT).padStart(3)} ${String(m.ML).padStart(3)} ${String(m.hypothesisIds).padStart(4)}`;
}

export async function runTrackingEval(argv) {
  const options = parseOptions(argv);
  if (!options) {
    process.stdout.write(USAGE);
    return;
  }
  const gtText = readFileSync(options.gt, 'utf8');
  const [mot] = await loadModules(['/eval/track-frames.ts']);
  const lastGtFrame = mot.parseMot(gtText, options.gt).reduce((last, b) => Math.max(last, b.frame), 0);
  const frames = options.frames ?? lastGtFrame;
  if (frames === 0) throw new UsageError(`${options.gt} has no boxes.`);
  const data = options.detections ? JSON.parse(readFileSync(options.detections, 'utf8')) : await detectVideo(options, frames);
  if (options.saveDetections) writeFileSync(options.saveDetections, JSON.stringify(data));
  const classId = data.labels.indexOf(options.className);
  if (classId < 0) throw new UsageError(`--class ${options.className}: not a label of ${data.model} (${data.labels.slice(0, 8).join(', ')}, …).`);
  const scored = data.frames.filter((f) => f.frame <= frames);
  if (scored.length < frames) process.stderr.write(`warning: the video has ${scored.length} frames, the ground truth ${frames}: the missing frames count as misses.\n`);

  const t0 = performance.now();
  const tracks = mot.trackFrames(scored, classId, options.trackOptions);
  const trackerMs = (performance.now() - t0) / scored.length;
  const metrics = mot.scoreTracks(gtText, options.gt, tracks, frames);
  // The ids the browser's createDetector({ track }) gave, when it ran with these tracker options: the
  // same tracker on the same boxes, so the same ids (a check that the API path is what is scored here).
  const pageRan = scored.every((f) => Array.isArray(f.trackIds)) && JSON.stringify(data.trackOptions ?? null) === JSON.stringify(options.trackOptions);
  const pageMetrics = pageRan ? mot.scoreTracks(gtText, options.gt, mot.pageTracks(scored, classId), frames) : undefined;
  if (pageMetrics && JSON.stringify(pageMetrics) !== JSON.stringify(metrics)) {
    process.stderr.write('warning: the ids of createDetector({ track }) in the browser differ from the tracker run here on the same boxes.\n');
  }
  if (options.saveTracks) writeFileSync(options.saveTracks, mot.formatMot(tracks));

  const baselines = [];
  if (options.baselines) {
    for (const scoreThreshold of [0.3, 0.4, 0.5]) {
      for (const iouThreshold of [0.3, 0.5]) {
        const boxes = mot.greedyIouTrack(scored, classId, { scoreThreshold, iouThreshold });
        baselines.push({ name: `greedy IoU ≥ ${iouThreshold}, score ≥ ${scoreThreshold}`, scoreThreshold, iouThreshold, metrics: mot.scoreTracks(gtText, options.gt, boxes, frames) });
      }
    }
  }

  if (options.json) {
    const pick = (m) => ({ MOTA: m.MOTA, IDF1: m.IDF1, IDsw: m.IDsw, FP: m.FP, FN: m.FN, MOTP: m.MOTP, IDP: m.IDP, IDR: m.IDR, MT: m.MT, ML: m.ML, tracks: m.hypothesisIds });
    const report = { ...pick(pageMetrics ?? metrics), frames, apiPath: pageMetrics !== undefined, objects: metrics.objects, trackerMsPerFrame: trackerMs, model: data.model, backend: data.backend };
    if (options.baselines) report.baselines = baselines.map((b) => ({ scoreThreshold: b.scoreThreshold, iouThreshold: b.iouThreshold, ...pick(b.metrics) }));
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  console.log(`Video ${data.video}: frames 1–${frames} at ${data.fps} fps, ${data.width}×${data.height}`);
  console.log(`      ${data.model} on ${data.backend}, class ${options.className}; ground truth ${options.gt}: ${metrics.objects} boxes, ${metrics.objectIds} ids\n`);
  console.log(`${''.padEnd(34)}  MOTA  IDF1 IDsw    FP    FN  MOTP   IDP   IDR  MT  ML  ids`);
  if (pageMetrics) console.log(row('Loupe, createDetector({ track })', pageMetrics));
  console.log(row(pageMetrics ? 'Loupe tracker (Node, same boxes)' : 'Loupe tracker (Node)', metrics));
  for (const b of baselines) console.log(row(b.name, b.metrics));
  console.log(`\nTracker: ${trackerMs.toFixed(3)} ms per frame (Node); options ${JSON.stringify(options.trackOptions)} over the defaults.`);
}

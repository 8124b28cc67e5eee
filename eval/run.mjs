#!/usr/bin/env node
// Accuracy report: runs a detector on a COCO-format dataset in headless Chromium and prints COCO AP.
//
//   npm run eval -- --model centernet [--data <folder>] [--backend wasm] [--json] …   (--help for all)
//
// The Vite dev server serves the page (eval/page.html), the engine and the model files as in the demo,
// plus the dataset folder under /@loupe-eval/data/ straight from where it lies (it is never copied into
// the project). The page runs the real `createDetector()` on one picture at a time; this process maps
// classes to categories and scores with eval/coco-eval.ts (both loaded through Vite, so they stay
// TypeScript). Chromium is the system one, launched as the e2e tests launch it (e2e/chromium.ts).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, fetchModels, openEvalPage, parseNumber, progress, reportError, root } from './harness.mjs';

const DEFAULT_DATA = process.env.LOUPE_DATA || resolve(root, '../shared/data/coco-dev');
const BACKENDS = ['wasm', 'webgl', 'webgpu', 'cpu', 'auto'];
const DATA_URL = '/@loupe-eval/data/';
const MODEL_URL = '/@loupe-eval/model/';

const USAGE = `Usage: npm run eval -- --model <id | ultralytics:<url or path>> [options]

Runs the detector on every image of a COCO-format dataset in headless Chromium and prints COCO-style
AP (IoU .50:.95), AP50, AP75, AP small/medium/large and the time per image.

  --model ID               registry id (centernet, nanodet, …) or ultralytics:<model.json URL, file or folder>
  --data FOLDER            folder with instances.json and images/ (default: $LOUPE_DATA,
                           else ../shared/data/coco-dev next to the project)
  --backend NAME           wasm (default), webgl, webgpu, cpu or auto
  --score-threshold S      minimum detection score (default 0.05)
  --max-detections N       detections per image (default 100; COCO counts at most 100)
  --input-size N           square model input, for models that take several sizes
  --rect-input             rectangular model inputs where the model can take them (CenterNet,
                           NanoDet: DetectorOptions.rectInput; default: the model's square input)
  --ingest auto|canvas|tensor
                           how pictures become the model input (default auto: the browser draws them
                           into a model-sized canvas on WASM/CPU, tfjs resamples them on WebGL/WebGPU)
  --limit N                only the first N images of instances.json
  --save-detections FILE   also write the detections in COCO's results format (for other evaluators)
                           (with several modes: those of the last mode)
  --json                   print one JSON object {AP, AP50, AP75, APs, APm, APl, AP50s, images, msPerImage,
                           executionsPerImage, model, backend} (AP values 0..1) and nothing else on stdout
                           (npm prints its own banner there: use npm run -s eval, or node eval/run.mjs);
                           with --small-objects, {modes: [{mode, AP, …, msPerImage, executionsPerImage}], …}

Small-object mode (docs/small-objects.md): each picture runs once per mode, modes side by side.
  --small-objects          turn it on with its defaults; compares single pass, full pyramid and budgeted
  --modes LIST             which of single,full,budget to run (default: all three)
  --scales LIST            zoom factors of the tiled passes, e.g. 2 or 2,3 (default 2)
  --overlap F              least overlap between tiles, 0..1 (default 0.2)
  --fusion nms|nmm         class-aware NMS on IoU, or greedy merging on IoS (default nms)
  --fusion-threshold F     IoU (nms) or IoS (nmm) threshold (default 0.6)
  --budget N               executions per picture of the budgeted mode (default 4)
  --max-tile-object PX     scale gating: largest box √(w·h) kept from a tile, in its input px (default 112)
  --tile-score-scale F     factor on tile boxes' scores, (0, 1] (default 0.8)
  --min-frame-object PX    whole-frame boxes smaller than this (input px) go where a tile ran (default 16)
  --batch auto|yes|no      tiles in one batched call where the model takes it: auto (default) = on
                           GPU backends only; yes = also on WASM/CPU; no = one by one
  --help                   this text
`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      data: { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      'score-threshold': { type: 'string', default: '0.05' },
      'max-detections': { type: 'string', default: '100' },
      'input-size': { type: 'string' },
      ingest: { type: 'string', default: 'auto' },
      'rect-input': { type: 'boolean', default: false },
      limit: { type: 'string' },
      'save-detections': { type: 'string' },
      json: { type: 'boolean', default: false },
      'small-objects': { type: 'boolean', default: false },
      modes: { type: 'string' },
      scales: { type: 'string' },
      overlap: { type: 'string' },
      fusion: { type: 'string' },
      'fusion-threshold': { type: 'string' },
      budget: { type: 'string' },
      'max-tile-object': { type: 'string' },
      'min-frame-object': { type: 'string' },
      'tile-score-scale': { type: 'string' },
      batch: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  if (!values.model) throw new UsageError('--model is required.');
  if (!BACKENDS.includes(values.backend)) throw new UsageError(`--backend ${values.backend}: expected one of ${BACKENDS.join(', ')}.`);
  if (!['auto', 'canvas', 'tensor'].includes(values.ingest)) throw new UsageError(`--ingest ${values.ingest}: expected auto, canvas or tensor.`);
  const optional = (name, parse) => (values[name] === undefined ? undefined : parse(name, values[name]));
  return {
    model: values.model,
    data: resolve(values.data ?? DEFAULT_DATA),
    backend: values.backend,
    scoreThreshold: parseNumber('score-threshold', values['score-threshold'], { min: 0, max: 1 }),
    maxDetections: parseNumber('max-detections', values['max-detections'], { integer: true, min: 1 }),
    inputSize: optional('input-size', (name, text) => parseNumber(name, text, { integer: true, min: 1 })),
    ingest: values.ingest,
    rectInput: values['rect-input'],
    limit: optional('limit', (name, text) => parseNumber(name, text, { integer: true, min: 1 })),
    saveDetections: values['save-detections'] && resolve(values['save-detections']),
    json: values.json,
    modes: smallObjectModes(values, optional),
  };
}

const MODE_NAMES = ['single', 'full', 'budget'];

/**
 * The modes each picture runs in: `[{name, smallObjects}]`, `smallObjects` as `detect()` takes it per call
 * (false: one pass). Without --small-objects (or any of its finer flags): the detector's own, one pass.
 */
function smallObjectModes(values, optional) {
  const finer = ['modes', 'scales', 'overlap', 'fusion', 'fusion-threshold', 'budget', 'max-tile-object', 'min-frame-object', 'tile-score-scale', 'batch'];
  if (!values['small-objects'] && finer.every((name) => values[name] === undefined)) return [{ name: 'single', smallObjects: undefined }];
  const names = values.modes === undefined ? MODE_NAMES : values.modes.split(',').map((m) => m.trim());
  const unknown = names.filter((m) => !MODE_NAMES.includes(m));
  if (unknown.length > 0 || names.length === 0) throw new UsageError(`--modes ${values.modes}: expected some of ${MODE_NAMES.join(', ')}.`);
  if (values.fusion !== undefined && !['nms', 'nmm'].includes(values.fusion)) throw new UsageError(`--fusion ${values.fusion}: expected nms or nmm.`);
  const options = {};
  if (values.scales !== undefined) options.scales = values.scales.split(',').map((s) => parseNumber('scales', s.trim(), { min: 1.0001, max: 8 }));
  const overlap = optional('overlap', (name, text) => parseNumber(name, text, { min: 0, max: 0.99 }));
  if (overlap !== undefined) options.overlap = overlap;
  if (values.fusion !== undefined) options.fusion = values.fusion;
  const threshold = optional('fusion-threshold', (name, text) => parseNumber(name, text, { min: 0.01, max: 1 }));
  if (threshold !== undefined) options.fusionThreshold = threshold;
  const maxTile = optional('max-tile-object', (name, text) => parseNumber(name, text, { min: 1 }));
  if (maxTile !== undefined) options.maxTileObject = maxTile;
  const minFrame = optional('min-frame-object', (name, text) => parseNumber(name, text, { min: 0 }));
  if (minFrame !== undefined) options.minFrameObject = minFrame;
  const tileScore = optional('tile-score-scale', (name, text) => parseNumber(name, text, { min: 0.01, max: 1 }));
  if (tileScore !== undefined) options.tileScoreScale = tileScore;
  if (values.batch !== undefined) {
    const batch = { auto: 'auto', yes: true, no: false }[values.batch];
    if (batch === undefined) throw new UsageError(`--batch ${values.batch}: expected auto, yes or no.`);
    options.batch = batch;
  }
  const budget = optional('budget', (name, text) => parseNumber(name, text, { integer: true, min: 1 })) ?? 4;
  const settings = { single: false, full: { ...options, budget: null }, budget: { ...options, budget } };
  return names.map((name) => ({ name, smallObjects: settings[name] }));
}

/** instances.json of the data folder, checked for what the evaluation needs. */
function readDataset(folder) {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new UsageError(`Data folder ${folder} does not exist. Pass --data <folder with instances.json and images/> or set LOUPE_DATA.`);
  }
  const annotations = resolve(folder, 'instances.json');
  if (!existsSync(annotations)) throw new UsageError(`${annotations} is missing: the data folder must hold COCO-format instances.json and images/.`);
  let dataset;
  try {
    dataset = JSON.parse(readFileSync(annotations, 'utf8'));
  } catch (error) {
    throw new UsageError(`${annotations} is not valid JSON: ${error.message}`);
  }
  for (const key of ['images', 'annotations', 'categories']) {
    if (!Array.isArray(dataset[key])) throw new UsageError(`${annotations} has no "${key}" list: not a COCO instances file.`);
  }
  if (!existsSync(resolve(folder, 'images'))) throw new UsageError(`${resolve(folder, 'images')} is missing.`);
  return dataset;
}

/** `--model` as the page passes it to createDetector(); a local Ultralytics export is served by the dev server. */
function modelSpec(model, mounts) {
  if (!model.startsWith('ultralytics:')) return model;
  const location = model.slice('ultralytics:'.length);
  if (/^https?:\/\//.test(location)) return { url: location, format: 'ultralytics' };
  const path = resolve(location);
  if (!existsSync(path)) throw new UsageError(`${path} does not exist (expected an Ultralytics tfjs export: model.json, or its folder).`);
  const isFolder = statSync(path).isDirectory();
  mounts.set(MODEL_URL, isFolder ? path : dirname(path));
  return { url: `${MODEL_URL}${isFolder ? 'model.json' : encodeURIComponent(basename(path))}`, format: 'ultralytics' };
}

/** Pictures lie in the data folder's images/, at their instances.json `file_name` (which may have subfolders). */
const imageUrl = (fileName) => `${DATA_URL}images/${fileName.split('/').map(encodeURIComponent).join('/')}`;

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

function timingSummary(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const mean = times.reduce((sum, t) => sum + t, 0) / times.length;
  return { mean, median: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), min: sorted[0], max: sorted[sorted.length - 1] };
}

async function evaluate(options) {
  const dataset = readDataset(options.data);
  const images = options.limit ? dataset.images.slice(0, options.limit) : dataset.images;
  if (images.length === 0) throw new UsageError(`${options.data}/instances.json lists no images.`);
  const mounts = new Map([[DATA_URL, options.data]]);
  const model = modelSpec(options.model, mounts);

  fetchModels();
  const session = await openEvalPage(mounts);
  try {
    const { page } = session;
    const { categoryMapping, score } = await session.ssrLoadModule('/eval/score.ts');

    const loadOptions = { model, backend: options.backend, scoreThreshold: options.scoreThreshold, maxDetections: options.maxDetections, inputSize: options.inputSize, ingest: options.ingest, rectInput: options.rectInput };
    const info = await page.evaluate((o) => window.loupeEval.load(o), loadOptions);
    const mapping = categoryMapping(info.labels, dataset);
    if (mapping.unmatched.length > 0 && mapping.unmatched.length < info.labels.length) {
      process.stderr.write(`Not in the dataset, not scored: ${mapping.unmatched.join(', ')}\n`);
    }
    const detect = (image, mode) =>
      page.evaluate(([url, smallObjects]) => window.loupeEval.detect(url, smallObjects ?? undefined), [imageUrl(image.file_name), mode.smallObjects ?? null]);

    // The first call pays for shader compilation / WASM warm-up (and a batch check): once untimed per mode.
    const warmUps = [];
    for (const mode of options.modes) warmUps.push(await detect(images[0], mode));
    // Modes take turns on each picture, so that a change in the machine's load hits them alike.
    const results = options.modes.map(() => []);
    const sizeMismatches = [];
    for (const [index, image] of images.entries()) {
      for (const [m, mode] of options.modes.entries()) {
        const result = await detect(image, mode);
        if (m === 0 && image.width !== undefined && (result.width !== image.width || result.height !== image.height)) {
          sizeMismatches.push(`${image.file_name}: ${result.width}×${result.height}, annotated ${image.width}×${image.height}`);
        }
        results[m].push({ imageId: image.id, ...result });
        const label = options.modes.length > 1 ? ` ${mode.name}:` : '';
        progress(`[${index + 1}/${images.length}] ${image.file_name}${label} ${result.ms.toFixed(0)} ms, ${result.detections.length} detections`);
      }
    }
    if (process.stderr.isTTY) process.stderr.write('\n');
    for (const mismatch of sizeMismatches) process.stderr.write(`warning: picture size differs from the annotations (EXIF rotation?): ${mismatch}\n`);

    const runs = options.modes.map((mode, m) => {
      const { evaluation, detections } = score(dataset, results[m], mapping);
      if (options.saveDetections && m === options.modes.length - 1) writeFileSync(options.saveDetections, JSON.stringify(detections));
      return {
        mode: mode.name,
        smallObjects: mode.smallObjects,
        evaluation,
        info,
        mapping,
        images: results[m].length,
        warmUpMs: warmUps[m].ms,
        timing: timingSummary(results[m].map((r) => r.ms)),
        executionsPerImage: results[m].reduce((sum, r) => sum + r.executions, 0) / results[m].length,
        batched: results[m].some((r) => r.batched),
      };
    });
    // The first run's fields at the top level (as without modes), every mode's in `runs`.
    return { ...runs[0], runs };
  } finally {
    await session.close();
  }
}

const percent = (value) => (value < 0 ? '   –' : (100 * value).toFixed(1).padStart(5));

function printTable(options, run) {
  const { metrics } = run.evaluation;
  const { backend, device } = run.info.backend;
  const input = run.info.inputSize;
  console.log(`Model ${options.model} on ${backend} (${device}), input ${input.width}×${input.height}`);
  console.log(`Data  ${options.data}: ${run.images} images; classes → categories by ${run.mapping.by}`);
  console.log(`      score ≥ ${options.scoreThreshold}, ≤ ${options.maxDetections} detections per image\n`);
  if (run.runs.some((r) => r.smallObjects !== undefined)) return printModes(options, run);
  console.log('  AP    AP50  AP75  APs   APm   APl  | AR100  ARs   ARm   ARl');
  const ap = [metrics.AP, metrics.AP50, metrics.AP75, metrics.APs, metrics.APm, metrics.APl].map(percent).join(' ');
  const ar = [metrics.AR100, metrics.ARs, metrics.ARm, metrics.ARl].map(percent).join(' ');
  console.log(`${ap} | ${ar}`);
  console.log(`AP50 on small boxes (AP50s, not a pycocotools summary figure): ${percent(metrics.AP50s)}\n`);
  const t = run.timing;
  const ms = (value) => `${value.toFixed(0)} ms`;
  console.log(`detect() per image: mean ${ms(t.mean)}, median ${ms(t.median)}, p90 ${ms(t.p90)}, min ${ms(t.min)}, max ${ms(t.max)}` +
    ` (after one warm-up run: ${ms(run.warmUpMs)}); model executions per image: ${run.executionsPerImage}`);
}

const SMALL_OBJECT_MODE_TITLES = { single: 'single pass', full: 'full pyramid', budget: 'budgeted pyramid' };

/** With small-object modes: the figures of each mode side by side, and what each mode was. */
function printModes(options, run) {
  console.log('  mode                   AP    AP50  AP75  APs   APm   APl  | exec/img  ms/img (median)');
  for (const r of run.runs) {
    const m = r.evaluation.metrics;
    const title = `${SMALL_OBJECT_MODE_TITLES[r.mode]}${r.mode === 'budget' ? ` ≤ ${r.smallObjects.budget}` : ''}`.padEnd(20);
    const ap = [m.AP, m.AP50, m.AP75, m.APs, m.APm, m.APl].map(percent).join(' ');
    console.log(`  ${title} ${ap} | ${r.executionsPerImage.toFixed(2).padStart(8)} ${r.timing.mean.toFixed(0).padStart(7)} (${r.timing.median.toFixed(0)})`);
  }
  const tiled = run.runs.find((r) => r.mode !== 'single');
  if (tiled) {
    const { budget: _budget, ...rest } = tiled.smallObjects;
    console.log(`\nsmallObjects: ${JSON.stringify(rest)} (defaults for the rest); tiles batched: ${tiled.batched ? 'yes' : 'no'}`);
  }
}

function printJson(options, run) {
  const figures = (r) => {
    const { AP, AP50, AP75, APs, APm, APl, AP50s } = r.evaluation.metrics;
    return { AP, AP50, AP75, APs, APm, APl, AP50s, images: r.images, msPerImage: r.timing.mean, executionsPerImage: r.executionsPerImage };
  };
  const report = { ...figures(run), model: options.model, backend: run.info.backend.backend };
  if (run.runs.some((r) => r.smallObjects !== undefined)) {
    report.modes = run.runs.map((r) => ({ mode: r.mode, ...figures(r), smallObjects: r.smallObjects, batched: r.batched }));
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

try {
  const argv = process.argv.slice(2);
  if (argv.includes('--track')) {
    // Multi-object tracking on a video with MOTChallenge ground truth: eval/track.mjs.
    const { runTrackingEval } = await import('./track.mjs');
    await runTrackingEval(argv.filter((arg) => arg !== '--track'));
  } else {
    const options = parseOptions(argv);
    if (!options) {
      process.stdout.write(USAGE);
    } else {
      const run = await evaluate(options);
      (options.json ? printJson : printTable)(options, run);
    }
  }
} catch (error) {
  reportError(error);
}

#!/usr/bin/env node
// Loupe's benchmark (issue 6): the bare model, Loupe's detect() and @vladmandic/human on the same model
// file, backend and frames, alternated per frame in headless Chromium; reads back to the CPU, tensors,
// cold starts. Writes bench/results/<stamp>.json and .md (and latest.*), prints the table. A benchmark,
// not a test: it never fails on a time.
//
//   npm run bench                                    # WASM, every model, 30 frames, cold starts
//   npm run bench -- --backends wasm,webgl,webgpu    # GPU backends get --gpu-frames frames (default 2)
//   npm run bench -- --models nanodet --frames 10 --no-cold
//
// Options: --backends (wasm) --models (every model whose files are there) --frames (30) --repeat (1: the timed
// loop runs frames × repeat times over the same frames, for long leak runs) --gpu-frames (2)
// --warmup (2; 1 on GPU backends) --contenders (bare,bare-folded,loupe,human; also loupe-rect: Loupe with
// rectInput) --cold-backend (wasm)
// --cold-runs (2) --small-frames (3; small-object mode) --gpu-small-frames (0) --no-cold --no-canvas --data DIR (env LOUPE_BENCH_DATA, default ../shared/data: reads
// video/vtest-15s.mjpeg or video/frame-*.jpg; else the project's e2e/fixtures/generated/street.mjpeg, else
// public/samples/street.webm) --out DIR (bench/results) --hardware-gpu (the machine's GPU, not SwiftShader)
// --headed. Chromium: LOUPE_CHROMIUM (see e2e/chromium.ts).
import { chromium } from '@playwright/test';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const args = { backends: 'wasm', models: '', frames: 30, repeat: 1, gpuFrames: 2, warmup: undefined, contenders: 'bare,bare-folded,loupe,human', coldBackend: 'wasm', coldRuns: 2, coldTimeout: 300, smallFrames: 3, gpuSmallFrames: 0, cold: true, hardwareGpu: false, headed: false, canvas: true, data: process.env.LOUPE_BENCH_DATA ?? resolve(root, '../shared/data'), out: join(root, 'bench/results') };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (key === 'noCold') args.cold = false;
    else if (key === 'hardwareGpu' || key === 'headed') args[key] = true;
    else if (key === 'noCanvas') args.canvas = false;
    else if (key in args) {
      const value = argv[++i];
      args[key] = typeof args[key] === 'number' ? Number(value) : value;
    } else throw new Error(`Unknown option ${argv[i]}`);
  }
  return args;
}

/** Splits a Motion-JPEG stream into its JPEG images (each starts with FF D8 FF). */
function splitMjpeg(buffer) {
  const starts = [];
  for (let i = 0; i + 2 < buffer.length; i++) {
    if (buffer[i] === 0xff && buffer[i + 1] === 0xd8 && buffer[i + 2] === 0xff) starts.push(i);
  }
  return starts.map((start, k) => buffer.subarray(start, starts[k + 1] ?? buffer.length));
}

/** The frames every contender sees: JPEG buffers, or a video URL the page samples. */
function findFrames(dataDir, count) {
  const pick = (list) => Array.from({ length: Math.min(count, list.length) }, (_, i) => list[Math.floor(((i + 0.5) * list.length) / Math.min(count, list.length))]);
  const clip = join(dataDir, 'video', 'vtest-15s.mjpeg');
  if (existsSync(clip)) return { source: clip, jpegs: pick(splitMjpeg(readFileSync(clip))) };
  const stills = existsSync(join(dataDir, 'video')) ? readdirSync(join(dataDir, 'video')).filter((f) => /^frame-\d+\.jpg$/.test(f)).sort() : [];
  if (stills.length > 0) return { source: join(dataDir, 'video', 'frame-*.jpg'), jpegs: stills.map((f) => readFileSync(join(dataDir, 'video', f))) };
  const generated = join(root, 'e2e/fixtures/generated/street.mjpeg');
  if (existsSync(generated)) return { source: generated, jpegs: pick(splitMjpeg(readFileSync(generated))) };
  return { source: join(root, 'public/samples/street.webm'), jpegs: [], videoUrl: '/samples/street.webm' };
}

const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const fmtInt = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');

function summarise(result) {
  const rows = {};
  for (const [name, samples] of Object.entries(result.samples)) {
    if (samples.length === 0) continue;
    rows[name] = {
      n: samples.length,
      median: median(samples.map((s) => s.ms)),
      p95: quantile(samples.map((s) => s.ms), 0.95),
      syncCalls: median(samples.map((s) => s.reads.syncCalls)),
      gpuSyncReads: median(samples.map((s) => s.reads.gpuSyncReads)),
      maxGpuSyncReads: Math.max(...samples.map((s) => s.reads.gpuSyncReads)),
      bytes: median(samples.map((s) => s.reads.bytes)),
      asyncReads: median(samples.map((s) => s.reads.asyncReads)),
      tensorsGained: samples.reduce((sum, s) => sum + s.tensorDelta, 0),
      boxes: median(samples.map((s) => s.boxes)),
      stages: samples[0].timings
        ? Object.fromEntries(['preprocess', 'infer', 'decode', 'total'].map((k) => [k, median(samples.map((s) => s.timings[k]))]))
        : undefined,
    };
  }
  return rows;
}

function markdown(report) {
  const lines = [];
  const m = report.machine;
  lines.push(`Machine: ${m.cpus}× ${m.cpuModel}, ${m.memoryGiB} GiB; ${m.browser}; load average at start ${m.loadStart.join(' / ')}, at end ${m.loadEnd.join(' / ')}. Frames: ${report.frameSource} (${report.frameSize}).`, '');
  lines.push('| backend | model | contender | frames | median ms | p95 ms | sync reads/frame (GPU) | bytes back/frame | tensors gained |', '|---|---|---|---|---|---|---|---|---|');
  for (const r of report.runs) {
    if (r.error) {
      lines.push(`| ${r.backend} | ${r.model} | (run failed: ${r.error.slice(0, 120)}) | | | | | | |`);
      continue;
    }
    for (const [name, s] of Object.entries(r.summary)) {
      lines.push(`| ${r.backend} | ${r.model} | ${LABEL[name] ?? name} | ${s.n} | ${fmt(s.median)} | ${fmt(s.p95)} | ${fmt(s.syncCalls, 0)} (${fmt(s.gpuSyncReads, 0)}) | ${fmtInt(s.bytes)} | ${s.tensorsGained} |`);
    }
    for (const [name, e] of Object.entries(r.result.errors)) lines.push(`| ${r.backend} | ${r.model} | ${LABEL[name] ?? name} | error: ${e.slice(0, 140).replace(/\|/g, '/')} | | | | | |`);
  }
  lines.push('', '| backend | model | Loupe / bare | Loupe / bare (folded) | Human / Loupe | outside the model, Loupe (ms) | outside the model, Human (ms) | Loupe stages median: preprocess / infer / decode / total (ms) |', '|---|---|---|---|---|---|---|---|');
  for (const r of report.runs) {
    if (r.error) continue;
    const s = r.summary;
    const ratio = (a, b) => (s[a] && s[b] ? `${fmt(s[a].median / s[b].median, 3)}` : '—');
    const outside = (a, b) => (s[a] && s[b] ? fmt(s[a].median - s[b].median) : '—');
    const st = s.loupe?.stages;
    lines.push(`| ${r.backend} | ${r.model} | ${ratio('loupe', 'bare')} | ${ratio('loupe', 'bare-folded')} | ${ratio('human', 'loupe')} | ${outside('loupe', 'bare-folded')} | ${outside('human', 'bare')} | ${st ? `${fmt(st.preprocess)} / ${fmt(st.infer)} / ${fmt(st.decode)} / ${fmt(st.total)}` : '—'} |`);
  }
  const rectRuns = report.runs.filter((r) => !r.error && r.summary['loupe-rect']);
  if (rectRuns.length > 0) {
    lines.push('', '| backend | model | Loupe rectInput / bare | Human / Loupe rectInput | Loupe rectInput / Loupe |', '|---|---|---|---|---|');
    for (const r of rectRuns) {
      const s = r.summary;
      const ratio = (a, b) => (s[a] && s[b] ? `${fmt(s[a].median / s[b].median, 3)}` : '—');
      lines.push(`| ${r.backend} | ${r.model} | ${ratio('loupe-rect', 'bare')} | ${ratio('human', 'loupe-rect')} | ${ratio('loupe-rect', 'loupe')} |`);
    }
  }
  lines.push('', '| backend | model | tensors before → after the timed frames | bytes before → after | GPU bytes before → after | graph nodes folded |', '|---|---|---|---|---|---|');
  for (const r of report.runs) {
    if (r.error) continue;
    const { before, after } = r.result.memory;
    const f = r.result.fold;
    lines.push(`| ${r.backend} | ${r.model} | ${before.numTensors} → ${after.numTensors} | ${fmtInt(before.numBytes)} → ${fmtInt(after.numBytes)} | ${before.numBytesInGPU !== undefined ? `${fmtInt(before.numBytesInGPU)} → ${fmtInt(after.numBytesInGPU)}` : '—'} | ${f ? `${f.removed} of ${f.nonConstBefore} non-const` : '—'} |`);
  }
  const canvasRuns = report.runs.filter((r) => r.result?.canvas);
  if (canvasRuns.length > 0) {
    lines.push('', '| backend | model | source → input, ingest "tensor" (ms, median) | ingest "canvas", the default here (ms, median) | max box difference, canvas vs tensor (source px) | unmatched boxes (max per frame) | max score difference |', '|---|---|---|---|---|---|---|');
    for (const r of canvasRuns) {
      const c = r.result.canvas;
      lines.push(`| ${r.backend} | ${r.model} | ${fmt(median(c.tensorPathMs))} | ${fmt(median(c.canvasPathMs))} | ${fmt(Math.max(...c.maxBoxDiff), 2)} | ${Math.max(...c.unmatched)} | ${fmt(Math.max(...c.maxScoreDiff), 3)} |`);
    }
  }
  if (report.cold.length > 0) {
    lines.push('', `| cold start to first box (${report.coldBackend}) | model | library | empty cache: new context (ms, median) | warm cache: same context (ms, median) | runs |`, '|---|---|---|---|---|---|');
    for (const c of report.cold) lines.push(`| | ${c.model} | ${c.library} | ${fmt(median(c.empty), 0)} | ${fmt(median(c.warm), 0)} | ${c.empty.length}${c.errors.length ? ` (errors: ${c.errors[0].slice(0, 80)})` : ''} |`);
  }
  const smallRuns = report.runs.filter((r) => r.result?.small);
  lines.push('', '| small-object mode (smallObjects: true) | model | frames | ms per frame (median) | passes T (median) | T × one pass (ms) | ratio |', '|---|---|---|---|---|---|---|');
  for (const r of smallRuns) {
    const ms = median(r.result.small.map((x) => x.ms));
    const t = median(r.result.small.map((x) => x.executions));
    const one = r.summary.loupe?.median;
    lines.push(`| ${r.backend} | ${r.model} | ${r.result.small.length} | ${fmt(ms)} | ${t} | ${fmt(t * one)} | ${fmt(ms / (t * one), 3)} |`);
  }
  if (smallRuns.length === 0) lines.push('| — | | | | | | not measured (--small-frames 0) |');
  return lines.join('\n');
}

const LABEL = { bare: 'A bare graph', 'bare-folded': 'A′ bare graph, folded', loupe: 'B Loupe detect()', 'loupe-rect': 'B′ Loupe detect(), rectInput', human: 'C Human detect()' };

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const allModels = ['centernet', 'nanodet'].filter((id) => existsSync(join(root, 'models', id, 'descriptor.ts')));
  const models = args.models ? args.models.split(',') : allModels;
  const backends = args.backends.split(',');
  const frames = findFrames(args.data, Math.max(args.frames, args.gpuFrames));
  const loadStart = loadavg().map((x) => x.toFixed(2));
  console.log(`bench: backends ${backends.join(', ')}; models ${models.join(', ')}; frames from ${frames.source}`);

  const server = await createServer({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'warn',
    // No HMR and no file watching: other edits in the tree must not reload a page mid-measurement.
    server: { port: 5180, strictPort: false, host: '127.0.0.1', hmr: false, watch: null },
    // Human's bundle that uses the page's own tfjs (same engine, same backend); not in its exports map.
    resolve: { alias: { 'loupe-bench-human': join(root, 'node_modules/@vladmandic/human/dist/human.esm-nobundle.js') } },
    optimizeDeps: { entries: ['bench/page.html'], include: ['loupe-bench-human'] },
    // Its own dependency cache: another dev server on this tree (e2e runs) re-optimising the shared one
    // would invalidate the modules of a page mid-run.
    cacheDir: join(root, 'node_modules/.vite-bench'),
  });
  await server.listen();
  const base = server.resolvedUrls.local[0].replace(/\/$/, '');
  const { chromiumArgs, chromiumLaunchOptions, chromiumPath } = await server.ssrLoadModule('/e2e/chromium.ts');
  // --hardware-gpu: the machine's own GPU instead of SwiftShader (Linux: ANGLE on Vulkan).
  const hardware = ['--enable-unsafe-webgpu', '--ignore-gpu-blocklist', ...(process.platform === 'linux' ? ['--use-angle=vulkan', '--enable-features=Vulkan'] : [])];
  const browser = await chromium.launch(
    args.hardwareGpu
      ? { executablePath: chromiumPath, args: [...chromiumArgs({ webgpu: false, fakeCamera: false }), ...hardware], headless: !args.headed }
      : { ...chromiumLaunchOptions({ fakeCamera: false }), headless: !args.headed },
  );
  const report = { date: new Date().toISOString(), args, frameSource: frames.source, frameSize: '', runs: [], cold: [], coldBackend: args.coldBackend, machine: {} };
  const newContext = async () => {
    const context = await browser.newContext();
    await context.route('**/bench-frames/*.jpg', (route) => {
      const index = Number(new URL(route.request().url()).pathname.split('/').pop().replace('.jpg', ''));
      return route.fulfill({ body: frames.jpegs[index], contentType: 'image/jpeg' });
    });
    return context;
  };
  try {
    // Prime the dev server (dependency pre-bundling, transforms) so no measurement pays for it.
    {
      const context = await newContext();
      const page = await context.newPage();
      await page.goto(`${base}/bench/page.html`);
      await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 120_000 });
      await page.evaluate(() => window.loupeBench.prime());
      await context.close();
    }
    for (const backend of backends) {
      const gpu = backend === 'webgl' || backend === 'webgpu';
      const count = gpu ? args.gpuFrames : args.frames;
      for (const model of models) {
        const context = await newContext();
        const page = await context.newPage();
        page.on('console', (msg) => msg.text().startsWith('[bench') && console.log(`  ${msg.text()}`));
        const started = Date.now();
        try {
          await page.goto(`${base}/bench/page.html`);
          await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 120_000 });
          const config = {
            model,
            backend,
            frameUrls: frames.jpegs.slice(0, count).map((_, i) => `/bench-frames/${i}.jpg`),
            ...(frames.videoUrl ? { videoUrl: frames.videoUrl } : {}),
            frames: count,
            repeat: args.repeat,
            warmup: args.warmup ?? (gpu ? 1 : 2),
            contenders: args.contenders.split(','),
            canvasCheck: args.canvas && (backend === 'wasm' || backend === 'cpu'),
            smallFrames: gpu ? args.gpuSmallFrames : args.smallFrames,
          };
          const result = await page.evaluate((c) => window.loupeBench.run(c), config);
          report.frameSize = result.frameSize.join('×');
          report.runs.push({ backend, model, seconds: (Date.now() - started) / 1000, result, summary: summarise(result) });
        } catch (error) {
          report.runs.push({ backend, model, error: String(error?.message ?? error) });
          console.log(`  ${backend}/${model} failed: ${error?.message ?? error}`);
        }
        await context.close();
      }
    }
    if (args.cold) {
      for (const model of models) {
        for (const library of ['loupe', 'human']) {
          const entry = { model, library, empty: [], warm: [], errors: [] };
          for (let run = 0; run < args.coldRuns; run++) {
            const context = await newContext();
            for (const key of ['empty', 'warm']) {
              const page = await context.newPage();
              page.on('console', (msg) => process.env.LOUPE_BENCH_DEBUG && console.log(`  [page] ${msg.text()}`));
              page.on('pageerror', (error) => entry.errors.push(String(error)));
              try {
                await page.goto(`${base}/bench/page.html?cold=${library}&model=${model}&backend=${args.coldBackend}&frame=0`);
                const result = await page.waitForFunction(() => window.loupeCold, null, { timeout: args.coldTimeout * 1000 }).then((h) => h.jsonValue());
                if (result.error) entry.errors.push(result.error);
                else entry[key].push(result.firstBoxMs);
              } catch (error) {
                entry.errors.push(String(error?.message ?? error));
              }
              await page.close();
            }
            await context.close();
          }
          console.log(`  cold ${model}/${library}: empty ${entry.empty.map((x) => Math.round(x)).join(', ')} ms; warm ${entry.warm.map((x) => Math.round(x)).join(', ')} ms`);
          report.cold.push(entry);
        }
      }
    }
    report.machine = {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown CPU',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      browser: `Chromium ${browser.version()} (${args.headed ? 'headed' : 'headless'}, ${args.hardwareGpu ? 'hardware GPU' : 'SwiftShader for WebGL/WebGPU'})`,
      loadStart,
      loadEnd: loadavg().map((x) => x.toFixed(2)),
    };
  } finally {
    await browser.close();
    await server.close();
  }

  const table = markdown(report);
  mkdirSync(args.out, { recursive: true });
  const stamp = report.date.replace(/[:.]/g, '-');
  writeFileSync(join(args.out, `${stamp}.json`), JSON.stringify(report, null, 2));
  writeFileSync(join(args.out, `${stamp}.md`), `${table}\n`);
  writeFileSync(join(args.out, 'latest.json'), JSON.stringify(report, null, 2));
  writeFileSync(join(args.out, 'latest.md'), `${table}\n`);
  console.log(`\n${table}\n\nbench: wrote ${join(args.out, `${stamp}.json`)} and .md`);
}

main().catch((error) => {
  console.error(`bench failed: ${error?.stack ?? error}`);
  process.exit(1);
});

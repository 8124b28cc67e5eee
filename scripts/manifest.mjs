#!/usr/bin/env node
// The element docs generated from the code:
//
//   node scripts/manifest.mjs           # npm run manifest: writes custom-elements.json and docs/elements.md
//   node scripts/manifest.mjs --check   # npm run manifest:check: fails when either is not what the code gives
//
// custom-elements.json comes from the Custom Elements Manifest analyzer (config:
// custom-elements-manifest.config.mjs) reading the JSDoc on components/loupe-*.ts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { elementsMarkdown } from './manifest-tables.mjs';

const root = resolve(import.meta.dirname, '..');
const check = process.argv.includes('--check');
const manifestPath = join(root, 'custom-elements.json');
const markdownPath = join(root, 'docs/elements.md');

// The analyzer resolves --outdir against the working directory: a scratch folder inside node_modules.
// (node_modules/.cache does not exist yet right after `npm ci` on a fresh clone.)
mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
const out = mkdtempSync(join(root, 'node_modules/.cache/loupe-cem-'));
try {
  const cem = join(root, 'node_modules/@custom-elements-manifest/analyzer/cem.js');
  execFileSync(process.execPath, [cem, 'analyze', '--outdir', relative(root, out), '--quiet'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const manifest = `${JSON.stringify(JSON.parse(readFileSync(join(out, 'custom-elements.json'), 'utf8')), null, 2)}\n`;
  const markdown = elementsMarkdown(JSON.parse(manifest));
  if (!check) {
    writeFileSync(manifestPath, manifest);
    writeFileSync(markdownPath, markdown);
    console.log('Wrote custom-elements.json and docs/elements.md.');
  } else {
    const stale = [];
    if (!existsSync(manifestPath) || readFileSync(manifestPath, 'utf8') !== manifest) stale.push('custom-elements.json');
    if (!existsSync(markdownPath) || readFileSync(markdownPath, 'utf8') !== markdown) stale.push('docs/elements.md');
    if (stale.length) {
      console.error(`${stale.join(' and ')} ${stale.length > 1 ? 'are' : 'is'} not what the elements' code and JSDoc give: run \`npm run manifest\` and commit the result.`);
      process.exit(1);
    }
    console.log('custom-elements.json and docs/elements.md are current.');
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

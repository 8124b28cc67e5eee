// The README's Node snippet, run as written: the ```js block after "and in Node" is extracted from
// README.md (so the two cannot drift), saved at the project root as a user would save detect.mjs next to
// their node_modules, and run with `node` against the built package (`loupe-vision` → dist/lib/, which
// `npm test` builds before the browser tests). No browser: it checks the engine outside a page.
import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../', import.meta.url));

async function nodeSnippet(): Promise<string> {
  const readme = await readFile(`${root}README.md`, 'utf8');
  const at = readme.indexOf('and in Node');
  expect(at, 'README introduces its Node snippet with "and in Node"').toBeGreaterThan(0);
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  expect(block, 'a ```js block follows').not.toBeNull();
  return block![1]!;
}

test("README's Node snippet runs as written and finds the people of the street frame", async () => {
  test.setTimeout(180_000);
  const file = `${root}.readme-detect.mjs`;
  await writeFile(file, await nodeSnippet());
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: root, timeout: 150_000 });
    const lines = stdout.split('\n').filter((line) => !/^=+$|tfjs-node|^\s*$/.test(line));
    console.log(lines.join('\n'));
    // auto in Node: WebGPU and WebGL skipped with a reason that does not talk of a browser it is not in.
    expect(lines[0]).toMatch(/^wasm \[/);
    expect(stdout).toContain('WebGPU needs a browser');
    expect(stdout).not.toContain('in this browser');
    // The frame's people (models/centernet/fixtures/street-frame.jpg: four walkers above 0.5).
    const people = lines.filter((line) => /^person 0\.\d\d \[/.test(line));
    expect(people.length).toBeGreaterThanOrEqual(3);
  } finally {
    await rm(file, { force: true });
  }
});

/**
 * The guides (docs/*.md rendered as pages of the docs site, scripts/docs-pages.ts): links rewritten for
 * the site, and every link of every guide landing on a page and an id that exist.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guidePages, readGuides, renderGuide, siteHref, slug } from '../../scripts/docs-pages.js';

const docs = resolve(import.meta.dirname, '../../docs');
const site = { guides: new Set(['errors', 'performance']), htmlPages: new Set(['index', 'explain', 'reference', 'guides']) };

describe('docs guide pages', () => {
  it('points markdown links at the rendered pages and leaves repository files as text', () => {
    expect(siteHref('errors.md', site)).toBe('./errors.html');
    expect(siteHref('./performance.md#warm-up-at-load', site)).toBe('./performance.html#warm-up-at-load');
    expect(siteHref('docs/errors.md', site)).toBe('./errors.html');
    expect(siteHref('explain.html', site)).toBe('./explain.html');
    // The element reference page is docs/elements.md's rendering.
    expect(siteHref('elements.md#loupe-live', site)).toBe('./reference.html#loupe-live');
    expect(siteHref('../training/README.md', site)).toBeNull();
    expect(siteHref('missing.md', site)).toBeNull();
    expect(siteHref('https://lit.dev', site)).toBe('https://lit.dev');
    expect(siteHref('#tables', site)).toBe('#tables');
  });

  it('renders a guide: title, heading ids, code spans that name a page, repository links as text, tables that scroll', () => {
    const guide = renderGuide(
      'errors',
      '# Errors\n\nEvery failure is typed. More text.\n\n## The `bad-input` case\n\nSee `docs/performance.md` and `src/errors.ts`, [training](../training/README.md), [speed](performance.md#x).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n',
      site,
    );
    expect(guide.title).toBe('Errors');
    expect(guide.summary).toBe('Every failure is typed.');
    expect(guide.body).not.toContain('<h1');
    expect(guide.body).toContain('<h2 id="the-bad-input-case">The <code>bad-input</code> case</h2>');
    expect(guide.body).toContain('<a href="./performance.html"><code>docs/performance.md</code></a>');
    expect(guide.body).toContain('<code>src/errors.ts</code>');
    expect(guide.body).toContain('<span class="repo-file" title="In the repository: training/README.md">training</span>');
    expect(guide.body).toContain('<a href="./performance.html#x">speed</a>');
    expect(guide.body).toMatch(/<div class="table-scroll"><table>/);
    expect(slug('Warm-up at load (WebGL, WebGPU)')).toBe('warm-up-at-load-webgl-webgpu');
    // Pictures from docs/ are listed (the build copies them beside the pages); from elsewhere, refused.
    const shots = renderGuide('shots', '# Shots\n\n![The demo](screenshots/demo-1280-boxes.jpg)\n', site);
    expect(shots.pictures).toEqual(['screenshots/demo-1280-boxes.jpg']);
    expect(shots.body).toContain('<img src="./screenshots/demo-1280-boxes.jpg" alt="The demo" loading="lazy" />');
    expect(() => renderGuide('shots', '![x](../public/x.png)', site)).toThrow(/outside docs/);
  });

  it("every link of every guide lands on a page of the site and an id on it", () => {
    const guides = readGuides(docs);
    expect(guides.map((guide) => guide.name)).toContain('performance');
    expect(guides.map((guide) => guide.name)).not.toContain('elements');
    const pages = guidePages(guides, '');
    const idsOf = (html: string) => new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]));
    const ids = new Map<string, Set<string | undefined>>();
    for (const [file, html] of pages) ids.set(file, idsOf(html));
    for (const file of readdirSync(docs).filter((name) => name.endsWith('.html'))) ids.set(file, idsOf(readFileSync(resolve(docs, file), 'utf8')));
    const broken: string[] = [];
    for (const [file, html] of pages) {
      for (const [, href = ''] of html.matchAll(/<a href="([^"]+)"/g)) {
        if (/^[a-z]+:/.test(href) || href === '../') continue;
        const [path = '', hash] = href.split('#');
        const target = path === '' ? file : path.replace(/^\.\//, '');
        if (!ids.has(target)) broken.push(`${file} → ${href} (no page)`);
        // Ids of the HTML pages' headings that docs.ts does not make: written in the HTML.
        else if (hash && !ids.get(target)?.has(hash)) broken.push(`${file} → ${href} (no id)`);
      }
    }
    expect(broken).toEqual([]);
  });
});

/**
 * The guides of the docs site: every docs/*.md rendered as a page of the site (docs/<name>.html, with the
 * docs pages' stylesheet and navigation) plus docs/guides.html listing them. `vite` serves them from the
 * markdown on each request; `vite build` writes them into dist/docs/ (the `docsPages` plugin in
 * vite.config.ts), so every docs link works on a deployed site.
 *
 * Links are rewritten for the site: `errors.md#x` → `errors.html#x`; a code span naming a docs page
 * (`docs/errors.md`, `docs/explain.html`) becomes a link to it; a link to a file of the repository that
 * is not on the site (`../training/README.md`) becomes its text, with the path in its title. Headings get
 * GitHub's ids, so `page.md#heading` anchors land. Pictures a guide shows (from docs/) are copied beside it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { Marked, Renderer, type Tokens } from 'marked';
import type { Plugin } from 'vite';
import { DOCS_PAGES } from '../docs/pages.js';

/** A guide: docs/<name>.md, shown at docs/<name>.html. */
export interface Guide {
  name: string;
  title: string;
  /** The first sentence of its first paragraph (plain text), for the guides list. */
  summary: string;
  /** The rendered body, without the title heading. */
  body: string;
  /** Pictures it shows, relative to docs/ (`screenshots/demo-1280-boxes.jpg`): copied beside the pages. */
  pictures: string[];
}

/** What a page of the site may link to: the guides' names and the HTML pages' (docs/<name>.html). */
export interface SiteDocs {
  guides: ReadonlySet<string>;
  htmlPages: ReadonlySet<string>;
}

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const stripTags = (html: string): string =>
  html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/**
 * Markdown files that are another page of the site in other clothes, not guides of their own:
 * docs/elements.md is the element reference (docs/reference.html) as generated markdown.
 */
const SAME_AS_PAGE: Readonly<Record<string, string>> = { elements: 'reference' };

/** GitHub's heading id: lower case, punctuation dropped, spaces → hyphens. */
export function slug(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/**
 * Where a link of docs/*.md points on the site: a docs page's URL (relative to docs/), the link itself
 * (absolute URLs, same-page anchors), or null for a repository file that is not on the site.
 */
export function siteHref(href: string, site: SiteDocs): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('#') || href.startsWith('//')) return href;
  const [path = '', hash] = href.split('#', 2);
  const anchor = hash === undefined ? '' : `#${hash}`;
  // Relative to docs/ (where the markdown lives); a path already starting at docs/ is taken as written in the README.
  const file = posix.normalize(path.startsWith('docs/') ? path : posix.join('docs', path));
  const match = /^docs\/([\w-]+)\.(md|html)$/.exec(file);
  if (!match) return null;
  const [, name = '', ext] = match;
  const page = ext === 'md' ? SAME_AS_PAGE[name] : undefined;
  if (page) return `./${page}.html${anchor}`;
  if (ext === 'md' && site.guides.has(name)) return `./${name}.html${anchor}`;
  if (ext === 'html' && site.htmlPages.has(name)) return `./${name}.html${anchor}`;
  return null;
}

/** Renders one guide's markdown (its first `# ` heading is the title). */
export function renderGuide(name: string, markdown: string, site: SiteDocs): Guide {
  const ids = new Map<string, number>();
  const pictures: string[] = [];
  let title = name;
  let summary = '';
  const marked = new Marked({ gfm: true });
  marked.use({
    renderer: {
      heading({ tokens, depth }: Tokens.Heading): string {
        const inner = this.parser.parseInline(tokens);
        const base = slug(stripTags(inner));
        const seen = ids.get(base) ?? 0;
        ids.set(base, seen + 1);
        const id = seen === 0 ? base : `${base}-${seen}`;
        if (depth === 1 && title === name) {
          title = stripTags(inner);
          return '';
        }
        return `<h${depth} id="${escapeHtml(id)}">${inner}</h${depth}>\n`;
      },
      paragraph({ tokens }: Tokens.Paragraph): string {
        const inner = this.parser.parseInline(tokens);
        if (!summary) summary = firstSentence(stripTags(inner));
        return `<p>${inner}</p>\n`;
      },
      link({ href, title: linkTitle, tokens }: Tokens.Link): string {
        const inner = this.parser.parseInline(tokens);
        const target = siteHref(href, site);
        if (target === null) return `<span class="repo-file" title="${escapeHtml(`In the repository: ${posix.normalize(posix.join('docs', href.split('#')[0] ?? ''))}`)}">${inner}</span>`;
        return `<a href="${escapeHtml(target)}"${linkTitle ? ` title="${escapeHtml(linkTitle)}"` : ''}>${inner}</a>`;
      },
      codespan({ text }: Tokens.Codespan): string {
        // `text` is already escaped by the lexer.
        const target = /^(docs\/)?[\w-]+\.(md|html)(#[\w-]+)?$/.test(text) ? siteHref(text, site) : null;
        return target && target.startsWith('./') ? `<a href="${escapeHtml(target)}"><code>${text}</code></a>` : `<code>${text}</code>`;
      },
      image({ href, title: imageTitle, text }: Tokens.Image): string {
        if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('/')) throw new Error(`docs/${name}.md: show pictures from docs/, not ${href}`);
        const file = posix.normalize(href);
        if (file.startsWith('..')) throw new Error(`docs/${name}.md: the picture ${href} is outside docs/, which the site does not serve`);
        pictures.push(file);
        return `<img src="./${escapeHtml(file)}" alt="${escapeHtml(text)}"${imageTitle ? ` title="${escapeHtml(imageTitle)}"` : ''} loading="lazy" />`;
      },
      table(token: Tokens.Table): string {
        // Wide tables scroll on their own at phone width instead of widening the page.
        return `<div class="table-scroll">${Renderer.prototype.table.call(this, token)}</div>\n`;
      },
    },
  });
  const body = marked.parse(markdown, { async: false });
  return { name, title, summary, body, pictures };
}

function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = flat.search(/\.(\s|$)/);
  return end === -1 ? flat : flat.slice(0, end + 1);
}

/** The navigation of every guide page: the docs site's, with Guides current, and the list of guides. */
function navigation(guides: readonly Guide[], current: string | null): string {
  const site = DOCS_PAGES.map(([href, title]) => {
    const here = href === './guides.html' ? (current === null ? ' aria-current="page"' : ' aria-current="true"') : '';
    return `<a href="${href}"${here}>${escapeHtml(title)}</a>`;
  }).join('\n        ');
  const list = guides
    .map((guide) => `<a href="./${guide.name}.html"${guide.name === current ? ' aria-current="page"' : ''}>${escapeHtml(guide.title)}</a>`)
    .join('\n        ');
  return `<nav aria-label="Docs">\n        ${site}\n      </nav>\n      <nav aria-label="Guides" class="guides">\n        ${list}\n      </nav>`;
}

function page(head: string, title: string, nav: string, body: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Loupe docs · ${escapeHtml(title)}</title>
    <link rel="icon" href="data:," />
    ${head}
  </head>
  <body>
    <header>
      <h1>${escapeHtml(title)}</h1>
      ${nav}
    </header>
    <main class="guide">
${body}
    </main>
    <footer>Loupe · MIT · rendered from the repository's docs/*.md</footer>
  </body>
</html>
`;
}

/** Every guide of `docsDir`, by file name. */
export function readGuides(docsDir: string): Guide[] {
  const files = readdirSync(docsDir).filter((file) => file.endsWith('.md'));
  const htmlPages = readdirSync(docsDir)
    .filter((file) => file.endsWith('.html'))
    .map((file) => file.slice(0, -'.html'.length));
  const guides = files
    .map((file) => file.slice(0, -'.md'.length))
    .filter((name) => !(name in SAME_AS_PAGE))
    .sort();
  for (const name of guides) {
    if (htmlPages.includes(name) || name === 'guides') throw new Error(`docs/${name}.md would replace docs/${name}.html: rename one of them`);
  }
  const site: SiteDocs = { guides: new Set(guides), htmlPages: new Set([...htmlPages, 'guides']) };
  return guides.map((name) => renderGuide(name, readFileSync(resolve(docsDir, `${name}.md`), 'utf8'), site));
}

/** The site's pages made from `guides`, keyed by file name in docs/ (`errors.html`, `guides.html`). */
export function guidePages(guides: readonly Guide[], head: string): Map<string, string> {
  const pages = new Map<string, string>();
  for (const guide of guides) pages.set(`${guide.name}.html`, page(head, guide.title, navigation(guides, guide.name), guide.body));
  const list = guides
    .map((guide) => `      <li><a href="./${guide.name}.html">${escapeHtml(guide.title)}</a>: ${escapeHtml(guide.summary)}</li>`)
    .join('\n');
  const intro = '      <p>The project\'s longer documents, one page each: how it is built, what it measures, and how to use each part.</p>';
  pages.set('guides.html', page(head, 'Guides', navigation(guides, null), `${intro}\n      <ul class="guide-list">\n${list}\n      </ul>`));
  return pages;
}

const STYLESHEET = /<link rel="stylesheet"[^>]*>/g;

/**
 * Vite plugin: serves the guide pages under /docs/ (rendered afresh on each request) and writes them into
 * the build's docs/ with the stylesheet links of the built docs/index.html.
 */
export function docsPages(root: string): Plugin {
  const docsDir = resolve(root, 'docs');
  return {
    name: 'loupe-docs-pages',
    enforce: 'post',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const match = /^\/docs\/([\w-]+\.html)$/.exec((req.url ?? '').split(/[?#]/)[0] ?? '');
        if (!match || existsSync(resolve(docsDir, match[1] ?? ''))) return next();
        const html = guidePages(readGuides(docsDir), '<link rel="stylesheet" href="./docs.css" />').get(match[1] ?? '');
        if (html === undefined) return next();
        void server.transformIndexHtml(req.url ?? '', html).then(
          (body) => {
            res.setHeader('Content-Type', 'text/html; charset=utf-8');
            res.end(body);
          },
          (error: unknown) => next(error),
        );
      });
    },
    generateBundle(_options, bundle) {
      const index = bundle['docs/index.html'];
      const links = index?.type === 'asset' ? String(index.source).match(STYLESHEET) : null;
      if (!links) this.error('docs/index.html (and its stylesheet) must be built before the guide pages');
      const guides = readGuides(docsDir);
      for (const [file, html] of guidePages(guides, links.join('\n    '))) {
        this.emitFile({ type: 'asset', fileName: `docs/${file}`, source: html });
      }
      for (const picture of new Set(guides.flatMap((guide) => guide.pictures))) {
        const file = resolve(docsDir, picture);
        if (!existsSync(file)) this.error(`docs/${picture}, shown by a guide, is missing`);
        this.emitFile({ type: 'asset', fileName: `docs/${picture}`, source: readFileSync(file) });
      }
    },
  };
}

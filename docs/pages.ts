/**
 * The docs site's navigation, one list for both kinds of page: the HTML pages with live examples
 * (filled in by docs.ts in the browser) and the guides rendered from docs/*.md at build time
 * (scripts/docs-pages.ts writes the same links into each page).
 */
export const DOCS_PAGES: readonly (readonly [href: string, title: string])[] = [
  ['./index.html', 'Embed'],
  ['./compose.html', 'Compose the parts'],
  ['./engine.html', 'Engine API'],
  ['./yolo.html', 'Your YOLO model'],
  ['./explain.html', 'How boxes are made'],
  ['./reference.html', 'Element reference'],
  ['./guides.html', 'Guides'],
  ['../', 'Demo'],
];

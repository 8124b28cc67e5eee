/**
 * Script of every docs page: registers Loupe's elements (the library entry, as a site importing
 * 'loupe-vision' would) and fills the navigation, marking the current page. Examples are written out in
 * full on each page, so what runs is what the code block shows.
 */
import '../lib/index.js';

const PAGES: readonly [string, string][] = [
  ['./index.html', 'Embed'],
  ['./compose.html', 'Compose the parts'],
  ['./engine.html', 'Engine API'],
  ['./yolo.html', 'Your YOLO model'],
  ['./explain.html', 'How boxes are made'],
  ['./reference.html', 'Element reference'],
  ['../', 'Demo'],
];

const nav = document.querySelector('nav');
for (const [href, title] of PAGES) {
  const link = document.createElement('a');
  link.href = href;
  link.textContent = title;
  const path = new URL(link.href).pathname;
  if (path === location.pathname || (path.endsWith('/index.html') && location.pathname === path.slice(0, -'index.html'.length))) {
    link.setAttribute('aria-current', 'page');
  }
  nav?.append(link);
}

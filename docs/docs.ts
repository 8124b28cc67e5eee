/**
 * Script of every docs page: registers Loupe's elements (the library entry, as a site importing
 * 'loupe-vision' would) and fills the navigation, marking the current page. Examples are written out in
 * full on each page, so what runs is what the code block shows.
 */
import '../lib/index.js';
import { DOCS_PAGES } from './pages.js';

const nav = document.querySelector('nav');
for (const [href, title] of DOCS_PAGES) {
  const link = document.createElement('a');
  link.href = href;
  link.textContent = title;
  const path = new URL(link.href).pathname;
  if (path === location.pathname || (path.endsWith('/index.html') && location.pathname === path.slice(0, -'index.html'.length))) {
    link.setAttribute('aria-current', 'page');
  }
  nav?.append(link);
}

/**
 * Script of every docs page: registers Loupe's elements (the library entry, as a site importing
 * 'loupe-vision' would) and marks the current page in the navigation. Examples are written out in full on
 * each page, so what runs is what the code block shows.
 */
import '../lib/index.js';

for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
  if (new URL(link.href).pathname === location.pathname) link.setAttribute('aria-current', 'page');
}

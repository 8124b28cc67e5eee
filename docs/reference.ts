/** The reference page: the element tables of custom-elements.json, as scripts/manifest.mjs writes them to docs/elements.md. */
import manifest from '../custom-elements.json';
import { elementTables } from '../scripts/manifest-tables.mjs';
import './docs.js';

/** `code` spans of a Markdown-ish cell → <code> elements. */
function cell(tag: 'td' | 'th', text: string): HTMLTableCellElement {
  const element = document.createElement(tag);
  for (const [index, part] of text.split('`').entries()) {
    if (index % 2 === 1) {
      const code = document.createElement('code');
      code.textContent = part;
      element.append(code);
    } else if (part) element.append(part);
  }
  return element;
}

const root = document.querySelector('#reference')!;
root.replaceChildren();
for (const element of elementTables(manifest)) {
  const section = document.createElement('section');
  const title = document.createElement('h2');
  title.id = element.tag;
  const tag = document.createElement('code');
  tag.textContent = `<${element.tag}>`;
  title.append(tag);
  const summary = document.createElement('p');
  summary.textContent = element.summary;
  section.append(title, summary);
  for (const table of element.tables) {
    const heading = document.createElement('h3');
    heading.textContent = table.title;
    const grid = document.createElement('table');
    const head = grid.createTHead().insertRow();
    for (const name of table.head) head.append(cell('th', name));
    const body = grid.createTBody();
    for (const row of table.rows) {
      const line = body.insertRow();
      for (const value of row) line.append(cell('td', value));
    }
    section.append(heading, grid);
  }
  root.append(section);
}

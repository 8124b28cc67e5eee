// Tables of each element's API from custom-elements.json: used by scripts/manifest.mjs (docs/elements.md)
// and the docs site's reference page (docs/reference.html). Plain data in, plain data out.

const code = (text) => (text ? `\`${text}\`` : '');
const oneLine = (text) => (text ?? '').replace(/\s*\n\s*/g, ' ').trim();

/**
 * @param {object} manifest custom-elements.json
 * @returns {{tag: string, name: string, summary: string, description: string, tables: {title: string, head: string[], rows: string[][]}[]}[]}
 *   Cells are Markdown-ish: inline code in backticks.
 */
export function elementTables(manifest) {
  const elements = [];
  for (const mod of manifest.modules ?? []) {
    for (const d of mod.declarations ?? []) {
      if (!d.customElement || !d.tagName) continue;
      const attributes = d.attributes ?? [];
      const byField = new Map(attributes.filter((a) => a.fieldName).map((a) => [a.fieldName, a]));
      const members = d.members ?? [];
      const tables = [];
      const options = members.filter((m) => m.kind === 'field' && byField.has(m.name));
      if (options.length) {
        tables.push({
          title: 'Attributes and properties',
          head: ['attribute', 'property', 'type', 'default', 'description'],
          rows: options.map((m) => [code(byField.get(m.name).name), code(m.name), code(m.type?.text), code(m.default), oneLine(m.description)]),
        });
      }
      const fields = members.filter((m) => m.kind === 'field' && !byField.has(m.name) && !m.static);
      if (fields.length) {
        tables.push({
          title: 'Other properties',
          head: ['property', 'type', 'description'],
          rows: fields.map((m) => [code(m.name) + (m.readonly ? ' (read-only)' : ''), code(m.type?.text), oneLine(m.description)]),
        });
      }
      // TypeScript overloads come as one entry each: one row per method, with the implementation's
      // (last) signature and the first description.
      const methods = [];
      for (const m of members.filter((m) => m.kind === 'method' && !m.static)) {
        const index = methods.findIndex((seen) => seen.name === m.name);
        if (index < 0) methods.push(m);
        else methods[index] = { ...m, description: methods[index].description || m.description };
      }
      if (methods.length) {
        tables.push({
          title: 'Methods',
          head: ['method', 'returns', 'description'],
          rows: methods.map((m) => [
            code(`${m.name}(${(m.parameters ?? []).map((p) => `${p.name}${p.optional ? '?' : ''}`).join(', ')})`),
            code(m.return?.type?.text),
            oneLine(m.description),
          ]),
        });
      }
      const simple = [
        ['Events', 'event', d.events],
        ['Slots', 'slot', d.slots],
        ['CSS parts', 'part', d.cssParts],
        ['CSS custom properties', 'property', d.cssProperties],
      ];
      for (const [title, column, list] of simple) {
        if (!list?.length) continue;
        tables.push({ title, head: [column, 'description'], rows: list.map((x) => [x.name ? code(x.name) : '(default)', oneLine(x.description)]) });
      }
      elements.push({ tag: d.tagName, name: d.name, summary: oneLine(d.summary), description: d.description ?? '', tables });
    }
  }
  return elements.sort((a, b) => a.tag.localeCompare(b.tag));
}

/** docs/elements.md from the manifest. */
export function elementsMarkdown(manifest) {
  const cell = (text) => String(text).replace(/\|/g, '\\|');
  const lines = [
    '# Element reference',
    '',
    '<!-- Generated from custom-elements.json by `npm run manifest`; do not edit by hand. -->',
    '',
    'Every option is an attribute and a property. Events bubble and are composed (listen on `document`).',
    '',
  ];
  for (const element of elementTables(manifest)) {
    lines.push(`## \`<${element.tag}>\``, '', element.summary ? `${element.summary}` : '', '');
    if (element.description) lines.push(element.description, '');
    for (const table of element.tables) {
      lines.push(`### ${table.title}`, '', `| ${table.head.join(' | ')} |`, `|${table.head.map(() => '---').join('|')}|`);
      for (const row of table.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
      lines.push('');
    }
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

// Custom Elements Manifest analyzer config: `npm run manifest` writes custom-elements.json from the JSDoc
// on the elements (@fires, @csspart, @cssprop, @slot, @summary, property docs), and docs/elements.md from
// it. `npm run manifest:check` (part of `npm test`) fails when either is stale.
//
// Only the public API goes in: private and protected members (Lit's internal state, helpers) are left out,
// so the manifest changes when what a page can use changes, not with every refactoring.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

/**
 * The shared attribute tables of components/internal/attributes.ts (the elements spread them into their
 * `static properties`, which the analyzer cannot follow): one entry per line, `{ name, target, declaration }`.
 */
function forwardedAttributes() {
  const source = readFileSync(new URL('./components/internal/attributes.ts', import.meta.url), 'utf8');
  const entries = [];
  for (const match of source.matchAll(/\{ name: '(\w+)', target: '(\w+)', declaration: (.*) \},?$/gm)) {
    const [, name, target, declaration] = match;
    const named = /attribute: '([\w-]+)'/.exec(declaration) ?? /text\('([\w-]+)'\)/.exec(declaration);
    entries.push({ name, target, attribute: named ? named[1] : name.toLowerCase() });
  }
  return entries;
}

/** Which element class takes each table's attributes itself, and which forwards them all. */
const TABLE_OWNERS = { detector: 'LoupeDetector', camera: 'LoupeCamera', overlay: 'LoupeOverlay' };

/**
 * Adds the tables' attributes to the elements that spread them in (`<loupe-detector>` its own,
 * `<loupe-live>` all), described by the field's JSDoc, or, on `<loupe-live>`, by the child's.
 */
function sharedAttributes() {
  return {
    name: 'loupe-shared-attributes',
    packageLinkPhase({ customElementsManifest }) {
      const declarations = (customElementsManifest.modules ?? []).flatMap((mod) => mod.declarations ?? []);
      const byName = new Map(declarations.map((declaration) => [declaration.name, declaration]));
      const field = (declaration, name) => declaration?.members?.find((member) => member.kind === 'field' && member.name === name);
      for (const entry of forwardedAttributes()) {
        const owner = byName.get(TABLE_OWNERS[entry.target]);
        const hosts = [byName.get('LoupeLive'), entry.target === 'detector' ? owner : undefined].filter(Boolean);
        for (const host of hosts) {
          host.attributes ??= [];
          if (host.attributes.some((attribute) => attribute.name === entry.attribute)) continue;
          const own = field(host, entry.name);
          const child = field(owner, entry.name);
          const description = own?.description || child?.description;
          const type = own?.type ?? child?.type;
          const fallback = own?.default ?? child?.default;
          const attribute = { name: entry.attribute, fieldName: entry.name };
          if (description) attribute.description = description;
          if (type) attribute.type = type;
          if (fallback !== undefined) attribute.default = fallback;
          host.attributes.push(attribute);
          if (own && !own.attribute) own.attribute = entry.attribute;
          if (own && !own.description && description) own.description = description;
        }
      }
    },
  };
}

/**
 * Defaults written as a constant (`this.model = DEFAULT_MODEL_ID`) reach the analyzer as the identifier;
 * a reader wants the value. `DEFAULT_MODEL_ID` is `<descriptor>.id` in models/registry.ts: follow that
 * import to the descriptor's `id: '…'`.
 */
function defaultModelId() {
  const registryUrl = new URL('./models/registry.ts', import.meta.url);
  const registry = readFileSync(registryUrl, 'utf8');
  const descriptor = /DEFAULT_MODEL_ID = (\w+)\.id;/.exec(registry)?.[1];
  const from = descriptor && new RegExp(`import \\{ ${descriptor} \\} from '([^']+)'`).exec(registry)?.[1];
  const id = from && /\bid: '([\w-]+)'/.exec(readFileSync(new URL(from.replace(/\.js$/, '.ts'), registryUrl), 'utf8'))?.[1];
  if (!id) throw new Error('custom-elements-manifest.config.mjs: cannot find the value of DEFAULT_MODEL_ID in models/registry.ts');
  return id;
}

/** Replaces constant names used as defaults with their values, in members and attributes. */
function resolvedDefaults() {
  const values = { DEFAULT_MODEL_ID: `'${defaultModelId()}'` };
  return {
    name: 'loupe-resolved-defaults',
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules ?? []) {
        for (const declaration of mod.declarations ?? []) {
          for (const item of [...(declaration.members ?? []), ...(declaration.attributes ?? [])]) {
            if (item.default in values) item.default = values[item.default];
          }
        }
      }
    },
  };
}

// The overlay's layer table (components/layers/index.ts, TypeScript: loaded through Vite's module runner):
// the overlay's CSS parts and list of layers, and the parts <loupe-live> forwards, come from it.
const { module: layerTable } = await runnerImport(fileURLToPath(new URL('./components/layers/index.ts', import.meta.url)), {
  configFile: false,
  logLevel: 'error',
});

const kebab = (name) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** A member a page can use: not private/protected/`_`-named, and not an assignment to a child's field. */
function isPublic(member) {
  if (member.privacy === 'private' || member.privacy === 'protected') return false;
  if (member.name.startsWith('_') || member.name.startsWith('#')) return false;
  // `this.video.muted = true` in a constructor shows up as a field `muted` with neither docs nor privacy.
  if (member.kind === 'field' && !member.privacy && !member.description && !member.attribute) return false;
  return true;
}

/**
 * Keeps the public API only, and names each element's tag (components/index.ts defines them in a loop the
 * analyzer cannot follow): `LoupeLive` → `<loupe-live>`, with a custom-element-definition export.
 */
function publicApiOnly() {
  return {
    name: 'loupe-public-api-only',
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules ?? []) {
        for (const declaration of mod.declarations ?? []) {
          if (declaration.members) declaration.members = declaration.members.filter(isPublic);
          if (declaration.attributes) declaration.attributes = declaration.attributes.filter((a) => !a.name.startsWith('_') && !a.fieldName?.startsWith('_'));
          if (declaration.customElement && !declaration.tagName && /^Loupe[A-Z]/.test(declaration.name)) {
            declaration.tagName = kebab(declaration.name);
            mod.exports = [...(mod.exports ?? []), { kind: 'custom-element-definition', name: declaration.tagName, declaration: { name: declaration.name, module: mod.path } }];
          }
        }
      }
    },
  };
}

/** The line of the overlay's description after which the layer list goes. */
const LAYERS_LINE = /^Layers \(`layers`, any combination\).*$/m;

/**
 * Takes what the layer table says: `<loupe-overlay>`'s CSS parts and its list of layers (one line per
 * table row, from its `summary`), and the overlay parts `<loupe-live>` forwards (`exportparts`).
 */
function layerTableDocs() {
  const { LAYER_TABLE, OVERLAY_CSS_PARTS } = layerTable;
  const overlayParts = OVERLAY_CSS_PARTS.map(({ name, description }) => ({ name, description }));
  return {
    name: 'loupe-layer-table',
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules ?? []) {
        for (const declaration of mod.declarations ?? []) {
          if (declaration.name === 'LoupeOverlay') {
            declaration.cssParts = overlayParts;
            const list = LAYER_TABLE.map((layer, index) => `- \`${layer.name}\`: ${layer.summary}${index === LAYER_TABLE.length - 1 ? '.' : ';'}`).join('\n');
            if (!LAYERS_LINE.test(declaration.description ?? '')) throw new Error('LoupeOverlay: the description lost its "Layers (`layers`, any combination)" line.');
            declaration.description = declaration.description.replace(LAYERS_LINE, (line) => `${line}\n${list}`);
          }
          if (declaration.name === 'LoupeLive') {
            const own = (declaration.cssParts ?? []).filter((part) => !overlayParts.some((o) => o.name === part.name));
            declaration.cssParts = [...own, ...overlayParts.map((part) => ({ ...part, description: `${part.description} (from the inner overlay)` }))];
          }
        }
      }
    },
  };
}

export default {
  globs: ['components/loupe-*.ts'],
  exclude: ['components/*.styles.ts'],
  litelement: true,
  dependencies: false,
  packagejson: false,
  plugins: [sharedAttributes(), publicApiOnly(), resolvedDefaults(), layerTableDocs()],
};

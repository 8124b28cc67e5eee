// Custom Elements Manifest analyzer config: `npm run manifest` writes custom-elements.json from the JSDoc
// on the elements (@fires, @csspart, @cssprop, @slot, @summary, property docs), and docs/elements.md from
// it. `npm run manifest:check` (part of `npm test`) fails when either is stale.
//
// Only the public API goes in: private and protected members (Lit's internal state, helpers) are left out,
// so the manifest changes when what a page can use changes, not with every refactoring.

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

export default {
  globs: ['components/loupe-*.ts'],
  exclude: ['components/*.styles.ts'],
  litelement: true,
  dependencies: false,
  packagejson: false,
  plugins: [publicApiOnly()],
};

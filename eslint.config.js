// Lint rules: TypeScript-aware recommended sets, plus the architectural rule Loupe lives by (below).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const LIT = { group: ['lit', 'lit/*', '@lit/*'], message: 'The engine and models never import Lit (imports flow components → models → src).' };
const layer = (name) => ({
  group: [`**/${name}/**`, `**/${name}`, `/${name}/**`],
  message: `Imports flow components → models → src only: this file may not import from ${name}/.`,
});
const TOOLING = ['test', 'eval', 'e2e', 'bench', 'scripts', 'demo', 'docs'].map((name) => ({
  group: [`**/${name}/**`, `/${name}/**`],
  message: `Shipped code (src/, models/, components/, lib/) never imports ${name}/ (tests, evaluation and tooling).`,
}));

// `import('…')` is not seen by no-restricted-imports: the same folders, for dynamic imports.
const dynamicImportOf = (names) => ({
  selector: `ImportExpression[source.value=/(^|\\/)(${names.join('|')})\\//]`,
  message: `Imports flow components → models → src only, and shipped code never imports ${names.join(', ')}/.`,
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-results/', 'playwright-report/', 'e2e/fixtures/generated/', 'e2e/artifacts/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The layering Loupe lives by: components/ (Lit elements) → models/ (families, registry, façade) → src/
  // (the engine: no Lit, no model knowledge). Nothing imports against that direction, and nothing shipped
  // imports test or tooling code (test/, eval/, e2e/, bench/, scripts/, demo/, docs/).
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [LIT, layer('components'), layer('models'), ...TOOLING] }],
      'no-restricted-syntax': ['error', dynamicImportOf(['components', 'models', 'test', 'eval', 'e2e', 'bench', 'scripts', 'demo', 'docs'])],
    },
  },
  {
    files: ['src/**/*.test.ts'],
    rules: {
      // A unit test of an engine module stays inside the engine; tests that need real models live in test/engine/.
      'no-restricted-imports': ['error', { patterns: [LIT, layer('components'), layer('models')] }],
    },
  },
  {
    files: ['models/**/*.ts'],
    ignores: ['models/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [LIT, layer('components'), ...TOOLING] }],
      'no-restricted-syntax': ['error', dynamicImportOf(['components', 'test', 'eval', 'e2e', 'bench', 'scripts', 'demo', 'docs'])],
    },
  },
  {
    files: ['models/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [LIT, layer('components')] }],
    },
  },
  {
    files: ['components/**/*.ts', 'lib/**/*.ts'],
    ignores: ['components/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: TOOLING }],
    },
  },
);

/**
 * ESLint: the recommended rules (JavaScript, typescript-eslint, Svelte) plus the layer rules that
 * keep the process boundaries where the architecture puts them:
 * - src/shared imports nothing from main, preload or renderer (both sides of every boundary use it);
 * - the renderer never imports main (it talks to main only through the Studio API);
 * - one module owns each native resource: onnxruntime-node only in the ONNX module, better-sqlite3
 *   only in the library's SQLite driver, electron only in the Electron glue.
 * The native packages are loaded with createRequire as well as imported, so the layer rules also
 * refuse `require('<package>')`, `createRequire(…)('<package>')`, `….resolve('<package>')` and `import('<package>')`.
 * layer-rules.spec.ts proves each rule fires.
 */
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The modules allowed to load each owned package; everything else is refused. */
export const PACKAGE_OWNERS = {
  'onnxruntime-node': ['src/main/engine/onnx/onnx-runtime.ts'],
  'better-sqlite3': ['src/main/library/sqlite-driver.ts'],
  electron: ['src/main/electron/**', 'src/main/index.ts', 'src/preload/**'],
};

/** Relative imports that climb into a top-level source folder, e.g. `../../main/studio/x.ts`. */
const intoFolder = (folder) => ({ regex: `^(\\.\\./)+${folder}/`, message: `This layer may not import from src/${folder}.` });

const ownedPackages = (except = []) => Object.keys(PACKAGE_OWNERS).filter((name) => !except.includes(name));

const packageMessage = (name) => `Only ${PACKAGE_OWNERS[name].join(', ')} may load ${name}; go through that module.`;

/** no-restricted-imports and no-restricted-syntax options refusing the given packages and folders. */
function layerRules({ packages, folders = [] }) {
  const loader = ":matches([callee.name='require'], [callee.callee.name='createRequire'], [callee.object.name='require'], [callee.object.callee.name='createRequire'])";
  const loads = packages.flatMap((name) => [
    { selector: `CallExpression${loader}[arguments.0.value='${name}']`, message: packageMessage(name) },
    { selector: `ImportExpression[source.value='${name}']`, message: packageMessage(name) },
  ]);
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: packages.map((name) => ({ name, message: packageMessage(name) })),
        patterns: [...packages.map((name) => ({ group: [`${name}/*`], message: packageMessage(name) })), ...folders.map(intoFolder)],
      },
    ],
    'no-restricted-syntax': ['error', ...loads],
  };
}

export default tseslint.config(
  {
    ignores: ['node_modules/', 'out/', 'dist/', 'models/', 'fixtures/', 'bench/.out/', 'scratch/', 'e2e/screenshots/', 'e2e/.screenshots-out/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // The Svelte rules only for Svelte files (applied to a CommonJS file, svelte/no-inner-declarations throws).
  ...svelte.configs.recommended.map((config) => (config.rules && !config.files ? { ...config, files: ['**/*.svelte', '**/*.svelte.ts'] } : config)),
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      // The code strips and refuses control characters on purpose (file names, iXML, request fields).
      'no-control-regex': 'off',
      // `_`-prefixed names are deliberately unused (callback positions, destructuring to drop a key).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // A variable a closure reads before its one assignment (`let server!: Server; … server = …`) cannot be const.
    // (Not in .svelte files, where the Svelte config swaps prefer-const for svelte/prefer-const: `let { a } = $props()`.)
    ignores: ['**/*.svelte'],
    rules: { 'prefer-const': ['error', { ignoreReadBeforeAssign: true }] },
  },
  {
    // Specs build deliberately malformed inputs by editing arbitrary paths of a deep copy.
    files: ['**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    rules: {
      // The state classes replace a Set or Map held in $state wholesale (`this.ids = new Set(...)`), which
      // Svelte tracks; the other Maps are private bookkeeping no template reads (players, audio routes).
      'svelte/prefer-svelte-reactivity': 'off',
      // `{' · '}` keeps the spaces around a separator that the markup's whitespace handling would trim.
      'svelte/no-useless-mustaches': 'off',
    },
  },

  // The layers. Later blocks for the same file replace earlier ones' options, so each folder's block
  // lists every package and folder refused there.
  { files: ['**/*.{ts,js,mjs,cjs,svelte}'], rules: layerRules({ packages: ownedPackages() }) },
  { files: ['src/shared/**'], rules: layerRules({ packages: ownedPackages(), folders: ['main', 'preload', 'renderer'] }) },
  { files: ['src/renderer/**'], rules: layerRules({ packages: ownedPackages(), folders: ['main', 'preload'] }) },
  { files: PACKAGE_OWNERS.electron, rules: layerRules({ packages: ownedPackages(['electron']) }) },
  { files: PACKAGE_OWNERS['onnxruntime-node'], rules: layerRules({ packages: ownedPackages(['onnxruntime-node']) }) },
  { files: PACKAGE_OWNERS['better-sqlite3'], rules: layerRules({ packages: ownedPackages(['better-sqlite3']) }) },
);

// ESLint: recommended JavaScript and type-aware TypeScript rules, Lit and web-component rules for the
// element, and the import boundaries of ARCHITECTURE.md's rooms.
import js from '@eslint/js';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Escapes a string for use inside a regular expression. */
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * `no-restricted-imports` for the files of one room (`src/<room>/`), at every folder depth inside it:
 * an import is allowed when it stays inside the room, names one of the `rooms` it may use, or is one
 * of the `packages` (exact names, or a prefix ending in '/' or ':' such as 'lit/' or 'node:'), or matches
 * one of the `allow` regular expressions.
 * Anything else is an error naming the room's rule.
 */
function boundary({ room, rooms = [], packages = [], allow = [], files, message }) {
  const depths = [0, 1, 2, 3];
  return depths.map((depth) => {
    const up = (n) => '\\.\\./'.repeat(n);
    const inside = depth === 0 ? ['\\./'] : ['\\./', `(?:\\.\\./){1,${depth}}(?!\\.\\./)`];
    const otherRooms = rooms.map((name) => `${up(depth + 1)}${escape(name)}/`);
    const named = packages.map((name) => (/[/:]$/.test(name) ? escape(name) : `${escape(name)}$`));
    const allowed = [...inside, ...otherRooms, ...named, ...allow].join('|');
    const levels = depth === 0 ? '' : '*/'.repeat(depth);
    return {
      files: (files ?? [`src/${room}/*.ts`]).map((glob) => glob.replace(`src/${room}/`, `src/${room}/${levels}`)),
      rules: {
        'no-restricted-imports': ['error', { patterns: [{ regex: `^(?!(?:${allowed}))`, message }] }],
      },
    };
  });
}

/** A bare npm package name that does not belong in the browser only (lit, tus-js-client, react). */
const NODE_PACKAGE = '(?![./])(?!node:)(?!(?:lit|@lit/[^/]+|tus-js-client|react)(?:/|$))';

const rooms = [
  ...boundary({
    room: 'protocol',
    message: 'src/protocol imports nothing (ARCHITECTURE.md): it is shared by browser and server code.',
  }),
  ...boundary({
    room: 'upload',
    rooms: ['protocol'],
    packages: ['tus-js-client'],
    message: 'src/upload may import only src/protocol and tus-js-client (browser code: no node: modules).',
  }),
  ...boundary({
    room: 'element',
    rooms: ['upload', 'protocol'],
    packages: ['lit', 'lit/'],
    message: 'src/element may import only src/upload, src/protocol and lit (browser code: no node: modules).',
  }),
  ...boundary({
    room: 'element',
    files: ['src/element/react.ts'],
    rooms: ['upload', 'protocol'],
    packages: ['lit', 'lit/', '@lit/react', 'react'],
    message: 'src/element/react.ts may import only src/upload, src/protocol, lit, @lit/react and react.',
  }).slice(0, 1),
  ...boundary({
    room: 'issuer',
    rooms: ['protocol'],
    message: 'src/issuer may import only src/protocol: it is a web-standard handler (node.ts adapts it to node:http).',
  }),
  ...boundary({
    room: 'issuer',
    files: ['src/issuer/node.ts'],
    rooms: ['protocol', 'node'],
    packages: ['node:'],
    message: 'src/issuer/node.ts may import only src/protocol, src/node and node: builtins.',
  }).slice(0, 1),
];

/** Node rooms: the rooms they may use, node: builtins, and npm packages that are not browser-only. */
const nodeRoom = (room, allowedRooms) =>
  boundary({
    room,
    rooms: allowedRooms,
    packages: ['node:'],
    allow: [NODE_PACKAGE],
    message: `src/${room} may import only ${allowedRooms.map((name) => `src/${name}`).join(', ')}, node: builtins and npm packages.`,
  });

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'custom-elements.json',
      'screenshots/**',
      'coverage/**',
      '.video-uploader/**',
      'test/fixtures/**',
      'bench/.data/**',
      '.tmp/**',
      // Each integration is a package of its own, with its own tsconfig and checks.
      'integrations/**',
    ],
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['scripts/*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Promises handed to event listeners and timers are the DOM's way; floating ones elsewhere are bugs.
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after'] },
          ],
        },
      ],
      // Interfaces such as tus-js-client's URL storage require async methods that have nothing to await.
      '@typescript-eslint/require-await': 'off',
      // A class merged with an interface is how the typed EventTarget maps are declared.
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
      // Lit templates and XHR/tus callbacks take arrow-function fields and plain objects: false reports.
      '@typescript-eslint/unbound-method': 'off',
      // Typed error values (UploadError, tus's {status_code, body}) are thrown and rejected on purpose.
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
    },
  },
  {
    // Tests and tools read JSON and chai's loose types: the no-unsafe family is noise there.
    files: ['test/**/*.ts', 'tools/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // Under @open-wc/testing's chai plugin typings every `expect(…).to.…` reads as a thenable: hundreds of
    // false reports. The one assertion that is a promise, `accessible()`, is awaited by convention.
    files: ['test/**/browser/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['demo/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src/element/**/*.ts', 'src/upload/**/*.ts', 'src/protocol/**/*.ts', 'test/**/browser/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src/element/**/*.ts', 'test/element/**/*.ts'],
    extends: [lit.configs['flat/recommended'], wc.configs['flat/recommended']],
  },
  ...rooms,
  ...nodeRoom('node', ['protocol']),
  ...nodeRoom('server', ['protocol', 'node']),
  ...nodeRoom('cli', ['server', 'issuer', 'node']),
);

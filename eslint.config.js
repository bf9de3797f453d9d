// @ts-check
import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/**
 * Layers (see DESIGN.md): shared <- engine <- main/web/cli; shared <- preload; shared <- renderer.
 * test/shared/layers.test.ts enforces the same rules on the import graph, so a rule turned off here still fails.
 */
const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'http',
  'https',
  'net',
  'tls',
  'crypto',
  'child_process',
  'stream',
  'zlib',
]
const engineAndServerDeps = ['undici', 'ws', 'tough-cookie']

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'node_modules/**',
      'docs/**',
      'test-results/**',
      'playwright-report/**',
      '.flightdeck-tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', ...nodeBuiltins, ...engineAndServerDeps, 'react', 'react-dom'],
              message: 'src/shared is pure: no electron, node or UI imports.',
            },
            {
              group: [
                '**/engine/**',
                '**/main/**',
                '**/renderer/**',
                '**/web/**',
                '**/cli/**',
                '**/preload/**',
              ],
              message: 'src/shared imports nothing from other layers.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron'],
              message: 'The engine runs under Node, the CLI and tests: never import electron.',
            },
            {
              group: ['**/main/**', '**/renderer/**', '**/web/**', '**/cli/**', '**/preload/**'],
              message: 'The engine imports only src/shared.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'src/web/bridge/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', ...nodeBuiltins, ...engineAndServerDeps],
              message: 'Browser code talks to the host only through window.api.',
            },
            {
              group: [
                '**/engine/**',
                '**/main/**',
                '**/cli/**',
                '**/preload/**',
                '**/web/server*',
                '**/web/index*',
              ],
              message: 'Browser code imports only src/shared (and its own folder).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...nodeBuiltins, ...engineAndServerDeps],
              message: 'A sandboxed preload has only electron renderer APIs.',
            },
            {
              group: ['**/engine/**', '**/main/**', '**/renderer/**', '**/web/**', '**/cli/**'],
              message: 'The preload imports only src/shared.',
            },
          ],
        },
      ],
    },
  },
  {
    // vitest's toMatchObject reads a RegExp value as an object with no keys: `{ message: /words/ }` matches any
    // message, so the assertion cannot fail. Words are checked with toMatch (or expect.stringMatching).
    files: ['test/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='toMatchObject'] Property > Literal[regex]",
          message:
            'A RegExp value here matches anything: check the text with toMatch or expect.stringMatching(/…/).',
        },
      ],
    },
  },
)

// Type-checked typescript-eslint over every TypeScript file, plain recommended
// rules over the JavaScript (scripts, configs, demo); zero warnings allowed.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeAndBrowserGlobals = Object.fromEntries(
  [
    'process', 'console', 'module', 'URL', 'URLSearchParams', 'setTimeout', 'clearTimeout', 'document',
    'location', 'sessionStorage', 'navigator', 'fetch', 'crypto', 'requestAnimationFrame',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'examples/**', 'custom-elements.json', 'bench/out/**', 'docs/**', '.tmp/**'],
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // PeerJS types its options as classes; plain option objects are how it is used.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
    },
  },
  {
    // chai's property assertions (`expect(x).to.exist`) are expressions.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: nodeAndBrowserGlobals,
    },
  },
);

// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import promise from 'eslint-plugin-promise';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'coverage', '.data', 'test-output', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  promise.configs['flat/recommended'],
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/apps/*/src/**',
                '**/libs/*/src/**',
                '../../migrations/*',
                '../../../migrations/*',
              ],
              message: 'Use the @parkex/* path aliases across packages.',
            },
          ],
        },
      ],
    },
  },
  {
    // The test tiers and benchmarks poke at untyped JSON responses.
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Specs reach the test support through its alias (@parkex/test-support/*), never a ../ path.
    // The typescript-eslint twin of no-restricted-imports, so that the blocks above keep theirs.
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/test/support', '**/test/support/**', '../support', '../support/**'],
              message: 'Import the test support as @parkex/test-support/<file>.',
            },
          ],
        },
      ],
    },
  },
  {
    // libs/market is the pure domain: no framework, database, GraphQL or I/O.
    files: ['libs/market/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@nestjs/*',
                'typeorm',
                'typeorm/*',
                'pg',
                'pg-*',
                'graphql',
                'graphql-*',
                '@parkex/db',
              ],
              message: 'libs/market is pure: no framework, database or GraphQL imports.',
            },
            {
              group: [
                'fs',
                'node:fs',
                'fs/*',
                'node:fs/*',
                'net',
                'node:net',
                'http',
                'node:http',
                'https',
                'node:https',
                'child_process',
                'node:child_process',
              ],
              message: 'libs/market is pure: no I/O.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'libs/market has no clock: pass instants in.' },
        { name: 'fetch', message: 'libs/market has no I/O.' },
      ],
    },
  },
);

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
    // libs/market and libs/auction are the pure domain: no framework, database, GraphQL, solver
    // or I/O (the auction reaches its solver through an interface).
    files: ['libs/market/**/*.ts', 'libs/auction/**/*.ts'],
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
                'highs',
              ],
              message: 'The domain libs are pure: no framework, database, GraphQL or solver imports.',
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
              message: 'The domain libs are pure: no I/O.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'The domain libs have no clock: pass instants in.' },
        { name: 'fetch', message: 'The domain libs have no I/O.' },
      ],
    },
  },
);

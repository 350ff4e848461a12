// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import promise from 'eslint-plugin-promise';
import path from 'node:path';

/**
 * Where imports may go (CONTRIBUTING.md, "Layout and rules"):
 * - `libs/**` never imports an app, neither by alias nor by path;
 * - inside an app's `src/`, a relative import never leaves its top-level folder except into
 *   the app's shared folders; any other folder is imported through the app's alias;
 * - the shared folders import no other folder of their app.
 */
const SRC_ROOT = import.meta.dirname;
const APP_LAYOUT = {
  api: { alias: '@parkex/api', shared: ['common', 'graphql'] },
  matcher: { alias: '@parkex/matcher', shared: [] },
};
const APP_ALIAS = /^@parkex\/(api|matcher|simulator)(\/|$)/;

/** The source strings of a file's imports, exports, `import()` and `require()` calls. */
function eachImport(check) {
  const source = (node) => {
    if (node.source && node.source.type === 'Literal' && typeof node.source.value === 'string') {
      check(node.source, node.source.value);
    }
  };
  return {
    ImportDeclaration: source,
    ExportAllDeclaration: source,
    ExportNamedDeclaration: source,
    ImportExpression: source,
    CallExpression(node) {
      const [first] = node.arguments;
      const named = node.callee.type === 'Identifier' ? node.callee.name : undefined;
      const member =
        node.callee.type === 'MemberExpression' && node.callee.property.type === 'Identifier'
          ? node.callee.property.name
          : undefined;
      const takesPath = named === 'require' || ['mock', 'requireActual'].includes(member);
      if (takesPath && first?.type === 'Literal' && typeof first.value === 'string') {
        check(first, first.value);
      }
    },
  };
}

const layout = {
  rules: {
    'libs-import-no-app': {
      meta: { type: 'problem', schema: [] },
      create(context) {
        const dir = path.dirname(context.filename);
        const apps = path.join(SRC_ROOT, 'apps') + path.sep;
        return eachImport((node, spec) => {
          const intoApps =
            APP_ALIAS.test(spec) ||
            (spec.startsWith('.') && path.resolve(dir, spec).startsWith(apps));
          if (intoApps) {
            context.report({
              node,
              message: `libs never import an app: '${spec}'. Move what both need into the library, or test the app's part in the app.`,
            });
          }
        });
      },
    },
    'context-imports': {
      meta: { type: 'problem', schema: [] },
      create(context) {
        const relative = path.relative(SRC_ROOT, context.filename).split(path.sep);
        const [, app, src, folder, ...rest] = relative;
        const settings = APP_LAYOUT[app];
        // files at the root of src/ (main.ts, the root module) compose the folders
        if (relative[0] !== 'apps' || src !== 'src' || !settings || rest.length === 0) return {};
        const srcDir = path.join(SRC_ROOT, 'apps', app, 'src');
        const dir = path.dirname(context.filename);
        const inShared = settings.shared.includes(folder);
        const sharedImportsContext = (node, spec) =>
          context.report({
            node,
            message: `${folder}/ is shared by every context and imports none: '${spec}'. Move what it needs into ${folder}/.`,
          });
        return eachImport((node, spec) => {
          if (inShared && spec.startsWith(`${settings.alias}/`)) {
            const [into] = spec.slice(settings.alias.length + 1).split('/');
            if (!settings.shared.includes(into)) sharedImportsContext(node, spec);
            return;
          }
          if (!spec.startsWith('.')) return;
          const target = path.relative(srcDir, path.resolve(dir, spec)).split(path.sep);
          if (target[0] === '..') return; // outside src/: the alias rule above speaks for it
          if (target[0] === folder || settings.shared.includes(target[0])) return;
          if (inShared) return sharedImportsContext(node, spec);
          const shared = settings.shared.length
            ? `, or into ${settings.shared.map((name) => `${name}/`).join(' and ')}`
            : '';
          context.report({
            node,
            message: `'${spec}' reaches from ${folder}/ into another folder's file: import it as '${settings.alias}/${target.join('/')}' (relative paths stay inside their folder${shared}).`,
          });
        });
      },
    },
  },
};

const SPECS = ['**/*.spec.ts', '**/*.e2e-spec.ts'];
/** Where TypeORM may be imported. */
const TYPEORM_OUTSIDE = [
  'libs/db/**',
  'migrations/**',
  'test/e2e/least-privilege.e2e-spec.ts',
  'test/e2e/matcher.e2e-spec.ts',
];
const NO_TYPEORM = {
  group: ['typeorm', 'typeorm/*'],
  message: 'TypeORM is used only inside libs/db: go through a @parkex/db repository.',
};
const TEST_SUPPORT_BY_ALIAS = {
  group: ['**/test/support', '**/test/support/**', '../support', '../support/**'],
  message: 'Import the test support as @parkex/test-support/<file>.',
};
/** A block forbidding `patterns` in `files` (less `ignores`). */
function restrictedImports(files, ignores, patterns) {
  return {
    files,
    ignores,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
  };
}

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
  // One persistence rule (CONTRIBUTING.md): TypeORM stays inside libs/db and the migrations;
  // everything else reaches the database through libs/db's repositories. The two e2e specs
  // listed still open or inspect a DataSource themselves (to be moved onto libs/db helpers).
  // Specs reach the test support through its alias (@parkex/test-support/*), never a ../ path.
  // Both use the typescript-eslint twin of no-restricted-imports, so that the blocks above keep
  // theirs; a file gets one list of patterns, so specs get both.
  restrictedImports(['**/*.ts'], [...TYPEORM_OUTSIDE], [NO_TYPEORM]),
  restrictedImports(SPECS, [...TYPEORM_OUTSIDE], [NO_TYPEORM, TEST_SUPPORT_BY_ALIAS]),
  restrictedImports(
    [
      'libs/db/**/*.spec.ts',
      'test/e2e/least-privilege.e2e-spec.ts',
      'test/e2e/matcher.e2e-spec.ts',
    ],
    [],
    [TEST_SUPPORT_BY_ALIAS],
  ),
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
              message:
                'The domain libs are pure: no framework, database, GraphQL or solver imports.',
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
  // The dashboard's browser modules (plain JS served as written, typed with JSDoc) are
  // linted like the TypeScript, with type information from apps/api/dashboard/tsconfig.json.
  // Their globals are the browser's: that project has `lib: ["DOM"]` and no Node types, and
  // its type-check (npm run typecheck) rejects any name the browser does not define, so
  // no-undef (which would need its own list of browser globals) is off, as for TypeScript.
  { ignores: ['!apps/api/dashboard/*.js'] },
  {
    files: ['apps/api/dashboard/*.js'],
    rules: { 'no-undef': 'off' },
  },
  {
    // Imports stay where CONTRIBUTING.md's "Layout and rules" puts them (see `layout` above).
    plugins: { layout },
    rules: { 'layout/libs-import-no-app': 'off', 'layout/context-imports': 'error' },
  },
  {
    files: ['libs/**/*.ts'],
    rules: { 'layout/libs-import-no-app': 'error' },
  },
);

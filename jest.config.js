'use strict';
// Four tiers, one `jest` run (`npm test`) or one each (`npm run test:<tier>`):
//   unit     `*.spec.ts` beside the code: pure functions, no database, no processes;
//   medium   `*.medium.spec.ts` beside the code: repositories and the matcher runner on real
//            PostgreSQL with the real migrations;
//   e2e      `test/e2e/*.e2e-spec.ts`: the API and matcher over HTTP, WebSocket and processes;
//   browser  `test/browser/*.e2e-spec.ts`: the dashboard and GraphiQL in Chromium.
// The tiers on PostgreSQL share one global setup, which Jest runs once per run and only when one
// of them has tests to run: it starts or selects PostgreSQL and migrates a fresh database.
const path = require('node:path');
const ts = require('typescript');

const swc = [
  '@swc/jest',
  {
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    },
  },
];

/** The path aliases of tsconfig.json (`@parkex/db`, `@parkex/api/*`, …) as Jest module names. */
function aliasesOfTsconfig() {
  const file = path.join(__dirname, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const mapper = {};
  for (const [alias, [target]] of Object.entries(config.compilerOptions.paths)) {
    const to = path.posix.join('<rootDir>', target).replace('*', '$1');
    mapper[`^${escape(alias).replace('\\*', '(.*)')}$`] = to;
  }
  return mapper;
}

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // @nestjs/* 12 ship ES modules only; Jest's CommonJS runtime needs them transformed.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@as-integrations)/)'],
  moduleNameMapper: aliasesOfTsconfig(),
  testTimeout: 30000,
};

const onPostgres = {
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/apps', '<rootDir>/libs'],
      testMatch: ['**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.medium\\.spec\\.ts$'],
    },
    {
      ...shared,
      ...onPostgres,
      displayName: 'medium',
      roots: ['<rootDir>/apps', '<rootDir>/libs'],
      testMatch: ['**/*.medium.spec.ts'],
    },
    {
      ...shared,
      ...onPostgres,
      displayName: 'e2e',
      roots: ['<rootDir>/test/e2e'],
      testMatch: ['**/*.e2e-spec.ts'],
    },
    {
      ...shared,
      ...onPostgres,
      displayName: 'browser',
      roots: ['<rootDir>/test/browser'],
      testMatch: ['**/*.e2e-spec.ts'],
    },
  ],
  testTimeout: 30000,
  maxWorkers: 2,
};

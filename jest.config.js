'use strict';
// One runner for the three tiers: pure unit/property specs beside the code (libs/market),
// medium specs against real PostgreSQL (libs/db, apps/*), e2e specs over HTTP in test/.
// The global setup starts or selects PostgreSQL and migrates a fresh database once per run.
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

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // @nestjs/* 12 ship ES modules only; Jest's CommonJS runtime needs them transformed.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@as-integrations)/)'],
  moduleNameMapper: {
    '^@parkex/market$': '<rootDir>/libs/market/src/index.ts',
    '^@parkex/auction$': '<rootDir>/libs/auction/src/index.ts',
    '^@parkex/solver$': '<rootDir>/libs/solver/src/index.ts',
    '^@parkex/db$': '<rootDir>/libs/db/src/index.ts',
    '^@parkex/migrations$': '<rootDir>/migrations/index.ts',
    '^@parkex/api/(.*)$': '<rootDir>/apps/api/src/$1',
    '^@parkex/matcher/(.*)$': '<rootDir>/apps/matcher/src/$1',
  },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};

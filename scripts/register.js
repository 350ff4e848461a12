'use strict';
// Runs the TypeScript sources directly: transpiles each .ts file with swc on load
// (decorator metadata included) and resolves the @parkex/* path aliases of tsconfig.json.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..');
const aliases = {
  '@parkex/market': path.join(root, 'libs/market/src/index.ts'),
  '@parkex/auction': path.join(root, 'libs/auction/src/index.ts'),
  '@parkex/solver': path.join(root, 'libs/solver/src/index.ts'),
  '@parkex/db': path.join(root, 'libs/db/src/index.ts'),
  '@parkex/migrations': path.join(root, 'migrations/index.ts'),
};

const resolveFilename = Module._resolveFilename;
const prefixes = {
  '@parkex/api/': path.join(root, 'apps/api/src/'),
  '@parkex/matcher/': path.join(root, 'apps/matcher/src/'),
};
Module._resolveFilename = function (request, ...rest) {
  let target = aliases[request] ?? request;
  for (const [prefix, folder] of Object.entries(prefixes)) {
    if (target.startsWith(prefix)) target = folder + target.slice(prefix.length);
  }
  return resolveFilename.call(this, target, ...rest);
};

process.setSourceMapsEnabled(true);
require.extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    },
  });
  module._compile(code, filename);
};

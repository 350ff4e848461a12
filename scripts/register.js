'use strict';
// Runs the TypeScript sources directly: transpiles each .ts file with swc on load (decorator
// metadata included) and resolves the path aliases that tsconfig.json's `paths` declares, read
// from that file at start (it is the one copy of the alias map; Jest derives its own from it too).
// Aliases are resolved at require time, whoever transpiled the requiring file (Jest's global
// setup, `node -e` snippets), and independently of the working directory.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..');
const tsconfigFile = path.join(root, 'tsconfig.json');

/** `paths` of tsconfig.json as [prefix, suffix, target folder or file with `*`] triples. */
function readAliases() {
  let paths;
  try {
    paths = JSON.parse(fs.readFileSync(tsconfigFile, 'utf8')).compilerOptions.paths;
  } catch (error) {
    throw new Error(`scripts/register.js: cannot read compilerOptions.paths of ${tsconfigFile}`, {
      cause: error,
    });
  }
  return Object.entries(paths ?? {}).map(([pattern, [target]]) => {
    const star = pattern.indexOf('*');
    return {
      prefix: star < 0 ? pattern : pattern.slice(0, star),
      suffix: star < 0 ? '' : pattern.slice(star + 1),
      wildcard: star >= 0,
      target: path.resolve(root, target),
    };
  });
}

const aliases = readAliases();

/** The file an aliased request names, or the request unchanged. */
function unalias(request) {
  for (const { prefix, suffix, wildcard, target } of aliases) {
    if (!wildcard) {
      if (request === prefix) return target;
    } else if (
      request.length >= prefix.length + suffix.length &&
      request.startsWith(prefix) &&
      request.endsWith(suffix)
    ) {
      return target.replace('*', request.slice(prefix.length, request.length - suffix.length));
    }
  }
  return request;
}

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, unalias(request), ...rest);
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

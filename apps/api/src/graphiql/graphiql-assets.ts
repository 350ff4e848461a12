import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * GraphiQL on `GET /graphql` (outside production), from the project's own dependencies only, so
 * that it works on a machine without internet: graphiql 4's browser build (one UMD file and its
 * CSS; graphiql 5 ships only ES modules with Monaco, which would need a bundler) on React 18's
 * UMD builds (React 19 has none), pinned in package-lock.json and served under `/graphiql/`.
 */
export const GRAPHIQL_PREFIX = '/graphiql';

export interface GraphiqlAsset {
  contentType: string;
  body: Buffer;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** The page's start: plain script (the CSP allows no inline code). */
const START = `(function () {
  'use strict';
  var graphql = GraphiQL.createFetcher({ url: location.origin + '/graphql' });
  // The schema for the docs and completion comes with the page: the standard introspection
  // query is deeper than the API's depth limit allows.
  function fetcher(params, options) {
    if (params && params.operationName === 'IntrospectionQuery') {
      return fetch('${GRAPHIQL_PREFIX}/schema.json').then(function (response) {
        return response.json();
      });
    }
    return graphql(params, options);
  }
  var query = [
    '# ParkEx GraphQL API. Docs (top left) show the schema.',
    '# Put your API key in Headers below:',
    '#   {"Authorization": "Bearer pkx_..."}',
    '',
    '{',
    '  me { name role }',
    '  products { code priceTick }',
    '}',
    '',
  ].join('\\n');
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: query,
      defaultEditorToolsVisibility: 'headers',
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    }),
  );
})();
`;

/** Files by name; read once, at the first request (the page is for development). */
const SOURCES: Record<string, { contentType: string; load: () => Buffer }> = {
  'react.js': { contentType: JS, load: () => vendor('react/umd/react.production.min.js') },
  'react-dom.js': {
    contentType: JS,
    load: () => vendor('react-dom/umd/react-dom.production.min.js'),
  },
  'graphiql.js': { contentType: JS, load: () => vendor('graphiql/graphiql.min.js') },
  'graphiql.css': { contentType: CSS, load: () => vendor('graphiql/graphiql.min.css') },
  'start.js': { contentType: JS, load: () => Buffer.from(START) },
};

const loaded = new Map<string, GraphiqlAsset>();

/** A file of the page by its name; nothing else is reachable. */
export function graphiqlAsset(name: string): GraphiqlAsset | undefined {
  if (!Object.hasOwn(SOURCES, name)) return undefined;
  let asset = loaded.get(name);
  if (!asset) {
    const source = SOURCES[name];
    asset = { contentType: source.contentType, body: source.load() };
    loaded.set(name, asset);
  }
  return asset;
}

/** The page Apollo serves on `GET /graphql` to a browser (Accept: text/html). */
export const GRAPHIQL_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>ParkEx GraphiQL</title>
    <link rel="stylesheet" href="${GRAPHIQL_PREFIX}/graphiql.css" />
    <style>
      body { margin: 0; }
      #graphiql { height: 100vh; }
    </style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script src="${GRAPHIQL_PREFIX}/react.js"></script>
    <script src="${GRAPHIQL_PREFIX}/react-dom.js"></script>
    <script src="${GRAPHIQL_PREFIX}/graphiql.js"></script>
    <script src="${GRAPHIQL_PREFIX}/start.js"></script>
  </body>
</html>
`;

/**
 * Only the page's own origin: scripts and styles from `/graphiql/`, requests to `/graphql`
 * (GraphiQL and CodeMirror set inline styles, and the page has one style element).
 */
export const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** A file of an installed package (by its folder: the packages' `exports` do not list them). */
function vendor(path: string): Buffer {
  const [name, ...rest] = path.split('/');
  return readFileSync(join(dirname(require.resolve(`${name}/package.json`)), ...rest));
}

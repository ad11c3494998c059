// Lets a child process run the TypeScript sources directly (node -r ./test/support/swc-register.js x.ts),
// compiled by SWC with decorator metadata (which Nest's dependency injection needs) and the
// @kiki/* path aliases resolved. Used by tests that kill and restart a real hub process.
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../..');
const aliases = {
  '@kiki/crypto': path.join(root, 'libs/crypto/src/index.ts'),
  '@kiki/storage': path.join(root, 'libs/storage/src/index.ts'),
  '@kiki/sync': path.join(root, 'libs/sync/src/index.ts'),
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (aliases[request]) return aliases[request];
  return resolve.call(this, request, parent, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
  });
  module._compile(code, filename);
};

/* eslint-disable */
// Lets a child `node` process load the TypeScript sources directly, the way vitest does
// (SWC, legacy decorators with metadata, tsconfig's path aliases), so a test can run the real
// worker entry (apps/hub/src/worker.ts) in its own process and kill it.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../../..');
const aliases = {
  '@kiki/crypto': path.join(root, 'libs/crypto/src/index.ts'),
  '@kiki/storage': path.join(root, 'libs/storage/src/index.ts'),
  '@kiki/sync': path.join(root, 'libs/sync/src/index.ts'),
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, aliases[request] ?? request, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
      target: 'es2022',
    },
  });
  module._compile(code, filename);
};

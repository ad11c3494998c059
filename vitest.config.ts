import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC (not esbuild) so that Nest's emitDecoratorMetadata is honoured in tests.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: {
      // the sodium-free entry first: an alias also matches its key's subpaths
      '@kiki/crypto/letters': resolve(__dirname, 'libs/crypto/src/letter-kinds.ts'),
      '@kiki/crypto': resolve(__dirname, 'libs/crypto/src/index.ts'),
      '@kiki/storage': resolve(__dirname, 'libs/storage/src/index.ts'),
      '@kiki/sync': resolve(__dirname, 'libs/sync/src/index.ts'),
      '@kiki/client': resolve(__dirname, 'libs/client/src/index.ts'),
    },
  },
  test: {
    include: ['{apps,libs,test}/**/*.spec.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-fast-check.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

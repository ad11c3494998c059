import { defineConfig } from 'vitest/config';
import base from './vitest.config';

// The fault and hostile-input suite (`npm run test:faults`): real hub processes, services the
// tests own, generated attacks. Kept out of `npm test`; see docs/reliability.md for the figures.
// (Not mergeConfig: it would append to the base `include` and run every spec as well.)
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/faults/**/*.faults.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});

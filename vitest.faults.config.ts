import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config';

// The fault and hostile-input suite (`npm run test:faults`): real hub processes, services the
// tests own, generated attacks. Kept out of `npm test`; see docs/reliability.md for the figures.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ['test/faults/**/*.faults.ts'],
      testTimeout: 1_800_000,
      hookTimeout: 300_000,
      fileParallelism: false,
    },
  }),
);

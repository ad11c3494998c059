/**
 * V8 settings for a client process that builds a large feed or restores a large region, set at
 * run time (no node command-line flags needed, so `npx kiki` gets them too).
 *
 * Measured on a 948,483-letter store (docs/benchmarks.md, client section): the live data of the
 * feed is ~48 MB of JS heap and ~70 MB of typed arrays, but by default V8 lets the old generation
 * grow up to 4x what survived its last collection before collecting again, while the scan's garbage
 * (JSON, decoded keys and letters: a few KB per envelope) is mostly short-lived: 328 MB peak RSS.
 * Growing by 20 % of what is live instead: 260-267 MB, at the same speed. (A 4 MB young
 * generation as well saved nothing more and made the build ~60 % slower: more survivors promoted.)
 * The flag does not cap the heap, so a larger store still fits (V8 collects more often) where
 * --max-old-space-size would crash it.
 */
import { setFlagsFromString } from 'node:v8';

export const CLIENT_V8_FLAGS: readonly string[] = ['--heap-growing-percent=20'];

/**
 * Applies CLIENT_V8_FLAGS, except those the person set (node options or NODE_OPTIONS). Call it
 * first thing in a program that uses the SDK on large stores; the kiki CLI does.
 */
export function tuneHeapForClient(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((f) => f.split('=')[0].replace(/_/g, '-'));
  const applied: string[] = [];
  for (const flag of CLIENT_V8_FLAGS) {
    if (given.includes(flag.split('=')[0])) continue;
    setFlagsFromString(flag);
    applied.push(flag);
  }
  return applied;
}

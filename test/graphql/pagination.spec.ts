import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '@kiki/crypto';
import { startTestHub, type TestHub } from '../support/hub';
import { authHeader, people, publicPost } from '../support/envelopes';
import { gql, type GqlResponse, memberAuth, SUBMIT, toInput } from './client';

let hub: TestHub;
let region: KeyPair;
const writers = people(4);
const [reader] = people(1);

beforeAll(async () => {
  hub = await startTestHub({ RUN_WORKERS: 'false' });
  region = (await hub.createRegion('paging')).keys;
});
afterAll(() => hub?.close());

const PAGE = `query($r: String!, $after: String) { envelopes(region: $r, first: 7, after: $after) { edges { node { id sequence } } pageInfo { hasNextPage endCursor } } }`;

describe('pagination while envelopes are being added', () => {
  it('never skips or repeats an envelope, and ends with exactly what was stored, in commit order', async () => {
    let writing = true;
    const stored: string[] = [];
    // four writers, over GraphQL and /sync, in batches of varying size
    const write = async (w: KeyPair, i: number) => {
      for (let b = 0; b < 12; b++) {
        const batch = Array.from({ length: 1 + ((b * 7 + i) % 9) }, (_, k) => publicPost(w, region, `${i}/${b}/${k}`));
        if ((b + i) % 2) {
          const r = await gql(hub.url, SUBMIT, { region: region.public, envelopes: batch.map(toInput) }, memberAuth(w, region));
          expect(r.data.submitEnvelopes.stored).toBe(batch.length);
        } else {
          const res = await fetch(`${hub.url}/sync/${region.public}/push`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeader(w, region) }, body: JSON.stringify({ envelopes: batch }) });
          expect(((await res.json()) as any).stored).toBe(batch.length);
        }
        stored.push(...batch.map((e) => e.id));
      }
    };
    const writing$ = Promise.all(writers.map(write)).finally(() => (writing = false));

    const read: Array<{ id: string; sequence: number }> = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const done = !writing;
      const r: GqlResponse = await gql(hub.url, PAGE, { r: region.public, after }, memberAuth(reader, region));
      expect(r.errors).toBeUndefined();
      pages++;
      read.push(...r.data.envelopes.edges.map((e: any) => e.node));
      after = r.data.envelopes.pageInfo.endCursor ?? after;
      // caught up, and no writer was running when this page was asked for
      if (!r.data.envelopes.pageInfo.hasNextPage && done) break;
    }
    await writing$;

    expect(pages).toBeGreaterThan(5);
    expect(new Set(read.map((e) => e.id)).size).toBe(read.length);
    expect(read.map((e) => e.sequence)).toEqual(read.map((_, i) => i + 1));
    expect(new Set(read.map((e) => e.id))).toEqual(new Set(stored));
  });
});

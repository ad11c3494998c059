import { createHash } from 'node:crypto';
import type { NegentropyClient, NegentropyServer, ReconItem } from '../src';

/** Deterministic PRNG (mulberry32) so that failures reproduce from the printed seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function idFrom(label: string | number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(String(label)).digest());
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

/** The oracle: exact set differences on ids, from plain arrays. */
export function naiveDifference(client: readonly ReconItem[], server: readonly ReconItem[]): { have: string[]; need: string[] } {
  const c = new Set(client.map((i) => hex(i.id)));
  const s = new Set(server.map((i) => hex(i.id)));
  return {
    have: [...c].filter((k) => !s.has(k)).sort(),
    need: [...s].filter((k) => !c.has(k)).sort(),
  };
}

export interface SyncRun {
  have: string[];
  need: string[];
  rounds: number;
  messages: { fromClient: Uint8Array[]; fromServer: Uint8Array[] };
}

/** Drives a client and a server to completion in memory; throws past `maxRounds`. */
export function runSync(client: NegentropyClient, server: NegentropyServer, maxRounds = 10_000): SyncRun {
  const have: string[] = [];
  const need: string[] = [];
  const fromClient: Uint8Array[] = [];
  const fromServer: Uint8Array[] = [];
  let msg: Uint8Array | null = client.initiate();
  let rounds = 0;
  while (msg !== null) {
    if (++rounds > maxRounds) throw new Error(`no convergence after ${maxRounds} rounds`);
    fromClient.push(msg);
    const reply = server.reconcile(msg);
    fromServer.push(reply);
    const r = client.reconcile(reply);
    for (const id of r.have) have.push(hex(id));
    for (const id of r.need) need.push(hex(id));
    msg = r.output;
  }
  return { have: have.sort(), need: need.sort(), rounds, messages: { fromClient, fromServer } };
}

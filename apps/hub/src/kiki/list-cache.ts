import { Inject, Injectable } from '@nestjs/common';
import { base58Encode } from '@kiki/crypto';
import { EnvelopeRepository, ReadRepository, type RegionVersion } from '@kiki/storage';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LRUCache } from 'lru-cache';
import { HubConfig } from '../config/hub-config';
import type { RegionContext } from '../regions/region.service';

/** The ids of a region's /list answer as JSON text (`"id","id",...`), valid for one version. */
interface CachedIds {
  version: RegionVersion;
  json: Buffer;
}

/** How much of the ids text one write hands the socket (backpressure in between). */
const CHUNK_BYTES = 64 * 1024;

/**
 * The original /list route answers every live id of a region: 2.3 MB and ~200 ms of work at 50k
 * envelopes when built per request. Here it is built once per region version (last_seq and
 * removed_seq, read from Postgres on each request, so every hub process agrees), by one request
 * while the others wait for it, at most LIST_BUILDS_AT_ONCE regions at a time, kept in an LRU of
 * LIST_CACHE_MB, and streamed in chunks rather than serialised per request.
 */
@Injectable()
export class ListCache {
  private readonly cache: LRUCache<number, CachedIds>;
  private readonly building = new Map<string, Promise<CachedIds>>();
  private running = 0;
  private readonly queue: Array<() => void> = [];
  private readonly maxBuilds: number;

  constructor(
    @Inject(HubConfig) config: HubConfig,
    private readonly envelopes: EnvelopeRepository,
    private readonly reads: ReadRepository,
  ) {    this.maxBuilds = config.LIST_BUILDS_AT_ONCE;
    this.cache = new LRUCache({ maxSize: Math.max(1, config.LIST_CACHE_MB * 1024 * 1024), sizeCalculation: (c) => c.json.length + 100 });
  }

  /** The ids text of the region's current version (cached, or built once for everyone asking). */
  async ids(region: RegionContext): Promise<Buffer> {
    const version = (await this.reads.regionVersion(region.regionId)) ?? { lastSeq: 0, removedSeq: 0 };
    const hit = this.cache.get(region.regionId);
    if (hit && hit.version.lastSeq === version.lastSeq && hit.version.removedSeq === version.removedSeq) return hit.json;
    const key = `${region.regionId}:${version.lastSeq}:${version.removedSeq}`;
    let pending = this.building.get(key);
    if (!pending) {
      pending = this.build(region.regionId, version).finally(() => this.building.delete(key));
      this.building.set(key, pending);
    }
    return (await pending).json;
  }

  private async build(regionId: number, version: RegionVersion): Promise<CachedIds> {
    await this.slot();
    try {
      // read after the version: the ids are at least as new as the version they are kept under
      const ids = await this.envelopes.liveIds(regionId);
      const json = Buffer.from(ids.map((id) => `"${base58Encode(id)}"`).join(','), 'utf8');
      const entry = { version, json };
      const current = this.cache.get(regionId);
      if (!current || current.version.lastSeq <= version.lastSeq) this.cache.set(regionId, entry);
      return entry;
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }

  private slot(): Promise<void> {
    if (this.running < this.maxBuilds) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((ok) => this.queue.push(() => (this.running++, ok())));
  }
}

/** Writes a /list answer whose `ids` is ListCache text, the other fields as JSON, in chunks. */
export async function streamListAnswer(res: ServerResponse, answer: { ids: Buffer } & Record<string, unknown>): Promise<void> {
  const { ids, ...rest } = answer;
  const head = Buffer.from('{"ids":[');
  const tail = Buffer.from(`]${Object.entries(rest).map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`).join('')}}`);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(head.length + ids.length + tail.length) });
  function* parts() {
    yield head;
    for (let i = 0; i < ids.length; i += CHUNK_BYTES) yield ids.subarray(i, i + CHUNK_BYTES);
    yield tail;
  }
  await pipeline(Readable.from(parts()), res);
}

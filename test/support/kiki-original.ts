import { type Envelope, type KeyPair, RegionValidator } from '@kiki/crypto';

/**
 * Plays an unmodified original kiki instance's sync against a peer (PROTOCOL.md part 1): fetch
 * the whole id list, download each missing id one request at a time, then upload each id the
 * peer lacks one request at a time, aborting the whole round at the first upload answered with
 * an error. It reads only the JSON `status` field, never the HTTP code, as the original does.
 */
export class OriginalKikiInstance {
  readonly store = new Map<string, Envelope>();
  readonly log: string[] = [];

  constructor(
    readonly person: KeyPair,
    readonly region: KeyPair,
  ) {}

  async syncWith(peer: string): Promise<{ downloaded: number; uploaded: number; aborted: string | null }> {
    const signature = new RegionValidator(this.region).signFor(this.person);
    const list = await getJson(`${peer}/list?user_pub=${encodeURIComponent(this.person.public)}&signature=${encodeURIComponent(signature)}`);
    if (list.status !== 'ok') return { downloaded: 0, uploaded: 0, aborted: `list: ${list.error}` };
    const theirs = new Set<string>(list.ids as string[]);
    let downloaded = 0;
    for (const id of theirs) {
      if (this.store.has(id)) continue;
      const d = await getJson(`${peer}/download/${id}`);
      if (d.status !== 'ok') return { downloaded, uploaded: 0, aborted: `download ${id}: ${d.error}` };
      this.store.set(id, d.envelope as Envelope);
      downloaded++;
    }
    let uploaded = 0;
    for (const [id, env] of this.store) {
      if (theirs.has(id)) continue;
      const res = await fetch(`${peer}/envelope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(env) });
      const body = (await res.json()) as { status: string; error?: string; message?: string };
      this.log.push(`upload ${id}: ${body.status} ${body.error ?? body.message ?? ''}`);
      if (body.status !== 'ok') return { downloaded, uploaded, aborted: `upload ${id}: ${body.error}` };
      uploaded++;
    }
    return { downloaded, uploaded, aborted: null };
  }
}

async function getJson(url: string): Promise<Record<string, any>> {
  const res = await fetch(url);
  return (await res.json()) as Record<string, any>;
}

/**
 * A third-party kiki client over the hub's GraphQL API, in one file (see docs/graphql.md).
 *
 * It joins a region (proves membership with the region keypair), pages through every envelope,
 * opens the ones addressed to its own key with libs/crypto, and prints them; with --follow it
 * then prints new ones as they arrive over graphql-ws. The hub never sees a secret key.
 *
 *   npm run build
 *   node dist/examples/third-party-client.js --hub http://localhost:8080 \
 *     --region <region public key> --region-private <region private key> [--identity me.json] [--follow]
 *
 * Without --identity it makes a throwaway identity and prints its public key: have someone send
 * a letter to that key, then run again with the identity file it wrote (mode 0600).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createSyncToken, type Envelope, generateKeyPair, type KeyPair, NotARecipientError, open } from '../libs/crypto/src';

export interface ClientOptions {
  hub: string;
  region: KeyPair;
  identity: KeyPair;
  pageSize?: number;
  /** ids already handled: paging and following may both see an envelope */
  seen?: Set<string>;
}

interface EnvelopeNode {
  id: string;
  timestamp: string;
  signature: string;
  sealedRecipients: string[];
  sealedLetter: string;
  cursor: string;
  sender: { publicKey: string; name: string | null };
}

const ENVELOPE_FIELDS = 'id timestamp signature sealedRecipients sealedLetter cursor sender { publicKey name }';

const PAGE = `query Page($region: String!, $first: Int!, $after: String) {
  envelopes(region: $region, first: $first, after: $after) {
    nodes { ${ENVELOPE_FIELDS} }
    pageInfo { hasNextPage endCursor }
  }
}`;

const JOIN = `query Join($region: String!) { region(publicKey: $region) { name stats { envelopes people } } }`;

const FOLLOW = `subscription Follow($region: String!) { envelopeAdded(region: $region) { ${ENVELOPE_FIELDS} } }`;

/** One GraphQL request. Membership tokens are single-use: every request gets a fresh one. */
async function graphql<T>(opts: ClientOptions, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${opts.hub}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Kiki ${createSyncToken(opts.identity, opts.region)}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new Error(`${e.extensions?.code ?? 'ERROR'}: ${e.message}`);
  }
  return body.data as T;
}

/** The wire envelope back from GraphQL's fields, ready for libs/crypto. */
function toWire(n: EnvelopeNode): Envelope {
  return { id: n.id, timestamp: n.timestamp, sender: { public: n.sender.publicKey }, signature: n.signature, sealed_recipients: n.sealedRecipients, sealed_letter: n.sealedLetter };
}

/** Received text is untrusted: shown as plain text, tags dropped, no terminal control characters. */
function plain(text: string): string {
  return text.replace(/<[^>]*>/g, '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

/** Opens with our own key only; null when the envelope is not addressed to us (or was handled already). */
function openForMe(opts: ClientOptions, n: EnvelopeNode): string | null {
  if (opts.seen?.has(n.id)) return null;
  opts.seen?.add(n.id);
  try {
    const { letter } = open(toWire(n), [opts.identity]);
    const who = n.sender.name ? `${n.sender.name} (${n.sender.publicKey.slice(0, 8)}…)` : n.sender.publicKey;
    return `${n.timestamp}  ${plain(who)}  [${letter.purpose}]  ${letter.purpose.startsWith('share-image') ? '(an image)' : plain(letter.content ?? '')}`;
  } catch (err) {
    if (err instanceof NotARecipientError) return null;
    return `${n.timestamp}  ${n.sender.publicKey}  (addressed to us but does not open: ${(err as Error).message})`;
  }
}

/** Joins, pages through the region and prints what is ours. Returns the cursor to follow from. */
export async function readRegion(opts: ClientOptions, print: (line: string) => void = console.log): Promise<{ cursor: string | null; seen: number; mine: number }> {
  const { region } = await graphql<{ region: { name: string; stats: { envelopes: number; people: number } } }>(opts, JOIN, { region: opts.region.public });
  print(`joined "${region.name}": ${region.stats.envelopes} envelopes from ${region.stats.people} people; reading as ${opts.identity.public}`);
  let after: string | null = null;
  let seen = 0;
  let mine = 0;
  for (;;) {
    type Page = { envelopes: { nodes: EnvelopeNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const { envelopes }: Page = await graphql<Page>(opts, PAGE, { region: opts.region.public, first: opts.pageSize ?? 100, after });
    for (const n of envelopes.nodes) {
      seen++;
      const line = openForMe(opts, n);
      if (line) {
        mine++;
        print(line);
      }
    }
    after = envelopes.pageInfo.endCursor ?? after;
    if (!envelopes.pageInfo.hasNextPage) break;
  }
  print(`${mine} of ${seen} envelopes were addressed to us`);
  return { cursor: after, seen, mine };
}

/** Prints new envelopes addressed to us until stopped; returns the stop function. */
export function follow(opts: ClientOptions, print: (line: string) => void = console.log): () => Promise<void> {
  const client = createClient({
    url: `${opts.hub.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    // checked when the socket connects, for the region named beside it; one token serves the whole socket
    connectionParams: () => ({ authorization: `Kiki ${createSyncToken(opts.identity, opts.region)}`, region: opts.region.public }),
  });
  const stop = client.subscribe<{ envelopeAdded: EnvelopeNode }>(
    { query: FOLLOW, variables: { region: opts.region.public } },
    {
      next: ({ data, errors }) => {
        if (errors?.length) print(`error: ${errors[0].message}`);
        const line = data && openForMe(opts, data.envelopeAdded);
        if (line) print(line);
      },
      error: (err) => print(`subscription ended: ${err instanceof Error ? err.message : JSON.stringify(err)}`),
      complete: () => print('subscription completed (fell behind?): run again to catch up'),
    },
  );
  return async () => {
    stop();
    await client.dispose();
  };
}

function loadIdentity(path: string | undefined): KeyPair {
  if (path && existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as KeyPair;
  const identity = generateKeyPair();
  const file = path ?? 'kiki-identity.json';
  writeFileSync(file, JSON.stringify(identity), { mode: 0o600 });
  console.log(`new identity ${identity.public} written to ${file} (keep it secret)`);
  return identity;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hub: { type: 'string', default: process.env.KIKI_HUB ?? 'http://localhost:8080' },
      region: { type: 'string', default: process.env.KIKI_REGION },
      'region-private': { type: 'string', default: process.env.KIKI_REGION_PRIVATE },
      identity: { type: 'string', default: process.env.KIKI_IDENTITY },
      follow: { type: 'boolean', default: false },
    },
  });
  if (!values.region || !values['region-private']) {
    console.error('usage: third-party-client --hub URL --region <public key> --region-private <private key> [--identity file.json] [--follow]');
    process.exit(64);
  }
  const opts: ClientOptions = {
    hub: values.hub!.replace(/\/$/, ''),
    region: { public: values.region, private: values['region-private'] },
    identity: loadIdentity(values.identity),
    seen: new Set(),
  };
  // Subscribe first, then page: nothing stored in between is missed, and `seen` drops repeats.
  const stop = values.follow ? follow(opts) : null;
  await readRegion(opts);
  if (stop) {
    console.log('following new envelopes (Ctrl-C to stop)…');
    process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createSyncToken, type KeyPair } from '@kiki/crypto';

/** Test helpers: GraphQL over real HTTP and graphql-ws against a started hub. */
export interface GqlResponse<T = any> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
}

export function memberAuth(person: KeyPair, region: KeyPair): string {
  return `Kiki ${createSyncToken(person, region)}`;
}

export async function gql<T = any>(url: string, query: string, variables: Record<string, unknown> = {}, authorization?: string): Promise<GqlResponse<T>> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GqlResponse<T>, 'status'>;
  return { status: res.status, ...body };
}

/** The code of the first error (extensions.code). */
export function codeOf(r: GqlResponse): string | undefined {
  return r.errors?.[0]?.extensions?.code;
}

/** A graphql-ws client; a membership token is checked at connect, for the region given beside it. */
export function wsClient(url: string, authorization?: string, region?: string): Client {
  return createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization, ...(region ? { region } : {}) } : undefined,
    retryAttempts: 0,
    lazy: true,
  });
}

/** Collects events of one subscription; `next(n)` waits for the n-th. */
export function collect<T = any>(client: Client, query: string, variables: Record<string, unknown>) {
  const events: Array<{ data?: T; errors?: any[] }> = [];
  let ended: unknown = null;
  let done = false;
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (v) => {
        events.push(v as any);
        wake();
      },
      error: (e) => {
        ended = e;
        done = true;
        wake();
      },
      complete: () => {
        done = true;
        wake();
      },
    },
  );
  return {
    events,
    dispose,
    get error() {
      return ended;
    },
    get done() {
      return done;
    },
    async until(pred: () => boolean, ms = 5000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(events).slice(0, 500)} error=${String(ended)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
    },
  };
}

/** A wire envelope as the GraphQL EnvelopeInput. */
export function toInput(e: { id: string; timestamp: string; sender: { public: string }; signature: string; sealed_recipients: string[]; sealed_letter: string; signature_v2?: string }) {
  return {
    id: e.id,
    timestamp: e.timestamp,
    sender: e.sender.public,
    signature: e.signature,
    sealedRecipients: e.sealed_recipients,
    sealedLetter: e.sealed_letter,
    ...(e.signature_v2 ? { signatureV2: e.signature_v2 } : {}),
  };
}

export const SUBMIT = `mutation Submit($region: String!, $envelopes: [EnvelopeInput!]!) {
  submitEnvelopes(region: $region, envelopes: $envelopes) { stored duplicate rejected results { index id status code reason field } }
}`;

export const PAGE = `query Page($region: String!, $first: Int, $after: String, $sender: String, $since: DateTime) {
  envelopes(region: $region, first: $first, after: $after, sender: $sender, since: $since) {
    edges { cursor node { id timestamp sender { publicKey } signature sealedRecipients sealedLetter size sequence cursor receivedAt purpose } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

/** Waits until `n` sockets listen on a Redis channel (a subscription is live on the server). */
export async function waitForListeners(redisUrl: string, channel: string, n = 1, ms = 5000): Promise<void> {
  const { default: Redis } = await import('ioredis');
  const r = new Redis(redisUrl);
  try {
    const deadline = Date.now() + ms;
    for (;;) {
      const [, count] = (await r.pubsub('NUMSUB', channel)) as [string, number];
      if (Number(count) >= n) return;
      if (Date.now() > deadline) throw new Error(`no listener on ${channel}`);
      await new Promise((res) => setTimeout(res, 25));
    }
  } finally {
    r.disconnect();
  }
}

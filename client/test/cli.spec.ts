/** The CLI, in process, against a real hub: two devices post, sync and read each other. */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '@kiki/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegionContext } from '../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../../test/support/hub';
import { EXIT, main } from '../src/cli';

interface Run {
  code: number;
  out: string[];
  err: string[];
}

function cli(home: string, env: Record<string, string> = {}) {
  return async (...argv: string[]): Promise<Run> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['--home', home, ...argv], { stdout: (l) => out.push(l), stderr: (l) => err.push(l), env: { HOME: home, ...env } });
    return { code, out, err };
  };
}

describe('cli', () => {
  let hub: TestHub;
  let region: RegionContext;
  let root: string;

  beforeAll(async () => {
    hub = await startTestHub();
    region = await hub.createRegion();
    root = await fs.mkdtemp(join(tmpdir(), 'kiki-cli-'));
  });
  afterAll(async () => {
    await hub?.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('init, join, post, sync, read and status across two devices', async () => {
    const alice = cli(join(root, 'alice'));
    const bob = cli(join(root, 'bob'), { KIKI_REGION_PRIVATE: region.keys.private });

    const init = await alice('init');
    expect(init.code).toBe(EXIT.OK);
    expect((await fs.stat(join(root, 'alice', 'identity.json'))).mode & 0o777).toBe(0o600);
    const alicePublic = init.out[1].split(': ')[1];
    expect((await alice('join', '--hub', hub.url, '--region-public', region.publicKey, '--region-private', region.keys.private)).code).toBe(EXIT.OK);
    const posted = await alice('post', '<p>Hello <b>kiki</b></p>\u001b[2J<script>x()</script>');
    expect(posted.code).toBe(EXIT.OK);
    const postId = posted.out[0].split(' ')[1];
    expect((await alice('post', '--to', 'self', 'only for me')).code).toBe(EXIT.OK);

    const synced = await alice('sync');
    expect(synced.code).toBe(EXIT.OK);
    expect(synced.out[0]).toMatch(/restore, pulled 0, fetched 0, pushed 2, 1 reconcile round/);

    expect((await bob('init')).code).toBe(EXIT.OK);
    expect((await bob('join', '--hub', hub.url, '--region-public', region.publicKey)).code).toBe(EXIT.OK);
    expect((await bob('post', '--reply-to', postId, 'hi alice')).code).toBe(EXIT.OK);
    const bobSync = await bob('sync');
    expect(bobSync.code).toBe(EXIT.OK);
    expect(bobSync.out[0]).toMatch(/restore, pulled 2, fetched 0, pushed 1, 1 reconcile round/);

    // Bob sees Alice's public post as text (not her private note); the HTML is not interpreted.
    const read = await bob('read');
    expect(read.code).toBe(EXIT.OK);
    const text = read.out.join('\n');
    expect(text).toContain('    Hello kiki');
    expect(text).not.toContain('only for me');
    expect(text).not.toMatch(/[\u001b<]/);
    expect(text).toContain(`[public, reply to ${postId.slice(0, 8)}…]`);
    expect(read.out[0]).toMatch(/you {2}\[public/); // newest first: Bob's reply

    expect((await alice('sync')).code).toBe(EXIT.OK);
    const aliceRead = await alice('read', '--json');
    const letters = aliceRead.out.map((l) => JSON.parse(l) as { sender: string; letter: { content: string } });
    expect(letters.map((l) => l.letter.content)).toEqual(['hi alice', 'only for me', '<p>Hello <b>kiki</b></p>\u001b[2J<script>x()</script>']);
    expect(letters[1].sender).toBe(alicePublic);

    const status = await alice('status');
    expect(status.code).toBe(EXIT.OK);
    expect(status.out.join('\n')).toMatch(/envelopes: {2}3 held, 0 removed by the hub/);
    expect(status.out.join('\n')).toMatch(/last sync: {2}\d{4}-.*\(cursor \d+\)/);
  });

  it('fails with one line and a stable exit code', async () => {
    const carol = cli(join(root, 'carol'));
    const missing = await carol('read');
    expect(missing.code).toBe(EXIT.IDENTITY);
    expect(missing.err).toHaveLength(1);
    expect(missing.err[0]).toMatch(/^error: no identity at .* \(run "init" first\)$/);

    expect((await carol('frobnicate')).code).toBe(EXIT.USAGE);
    expect((await carol('post', '--bogus', 'x')).code).toBe(EXIT.USAGE);
    expect((await carol('init')).code).toBe(EXIT.OK);
    expect((await carol('init')).code).toBe(EXIT.IDENTITY);

    const mismatched = await carol('join', '--hub', hub.url, '--region-public', region.publicKey, '--region-private', generateKeyPair().private);
    expect(mismatched.code).toBe(EXIT.USAGE);
    expect(mismatched.err[0]).toMatch(/does not belong/);

    const unknown = generateKeyPair();
    expect((await carol('join', '--hub', hub.url, '--region-public', unknown.public, '--region-private', unknown.private)).code).toBe(EXIT.OK);
    const refused = await carol('sync');
    expect(refused.code).toBe(EXIT.HUB_REFUSED);
    expect(refused.err).toEqual([expect.stringMatching(/^error: region .*: hub UNAUTHENTICATED: /)]);

    expect((await carol('post', '--to', 'friends', 'x')).code).toBe(EXIT.INVALID_INPUT);
  });
});

/** The CLI, in process, against a real hub: two devices post, sync and read each other. */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair } from '@kiki/crypto';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/main';
import { cli, useHub } from './support';

describe('cli', () => {
  const fx = useHub('kiki-cli-');

  it('init, join, post, sync, feed and status across two devices', async () => {
    const alice = cli(join(fx.root, 'alice'));
    const bob = cli(join(fx.root, 'bob'), { KIKI_REGION_PRIVATE: fx.region.keys.private });

    const init = await alice('init');
    expect(init.code).toBe(EXIT.OK);
    expect((await fs.stat(join(fx.root, 'alice', 'identity.json'))).mode & 0o777).toBe(0o600);
    const alicePublic = init.out[1].split(': ')[1];
    expect((await alice('join', '--hub', fx.hub.url, '--region-public', fx.region.publicKey, '--region-private', fx.region.keys.private)).code).toBe(EXIT.OK);
    const posted = await alice('post', '<p>Hello <b>kiki</b></p>\u001b[2J<script>x()</script>');
    expect(posted.code).toBe(EXIT.OK);
    const postId = posted.out[0].split(' ')[2].replace(';', '');
    expect((await alice('post', '--to', 'self', 'only for me')).code).toBe(EXIT.OK);

    const synced = await alice('sync');
    expect(synced.code).toBe(EXIT.OK);
    expect(synced.out[0]).toMatch(/restore, pulled 0, fetched 0, pushed 2, 1 reconcile round/);

    expect((await bob('init')).code).toBe(EXIT.OK);
    expect((await bob('join', '--hub', fx.hub.url, '--region-public', fx.region.publicKey)).code).toBe(EXIT.OK);
    const bobSync = await bob('sync');
    expect(bobSync.code).toBe(EXIT.OK);
    expect(bobSync.out[0]).toMatch(/restore, pulled 2, fetched 0, pushed 0, 1 reconcile round/);
    expect((await bob('reply', postId, 'hi alice')).code).toBe(EXIT.OK);
    expect((await bob('sync')).out[0]).toMatch(/incremental, pulled 0, fetched 0, pushed 1/);

    // Bob sees Alice's public post as text (not her private note), his reply nested under it.
    const feed = await bob('feed');
    expect(feed.code).toBe(EXIT.OK);
    const text = feed.out.join('\n');
    expect(text).toContain('    Hello kiki');
    expect(text).not.toContain('only for me');
    expect(text).not.toMatch(/[\u001b<]/);
    expect(feed.out[0]).toMatch(new RegExp(`^${alicePublic.slice(0, 8)}… {2}\\d{4}-.*\\[public\\] {2}${postId}$`));
    expect(feed.out.filter((l) => /^ {4}↳ you {2}.*\[public\]/.test(l))).toHaveLength(1);

    expect((await alice('sync')).code).toBe(EXIT.OK);
    const aliceFeed = JSON.parse((await alice('feed', '--json')).out.join(''));
    expect(aliceFeed.map((p: { text: string }) => p.text)).toEqual(['only for me', 'Hello kiki\n[2J']); // the escape character is gone, its harmless rest stays text
    expect(aliceFeed[1].replies.map((r: { text: string }) => r.text)).toEqual(['hi alice']);
    expect(aliceFeed[0].visibility).toBe('self');

    const status = await alice('status');
    expect(status.code).toBe(EXIT.OK);
    expect(status.out.join('\n')).toMatch(/envelopes: {2}3 held, 0 removed/);
    expect(status.out.join('\n')).toMatch(/last sync: {2}\d{4}-.*\(cursor \d+\)/);
  });

  it('fails with one line and a stable exit code', async () => {
    const carol = cli(join(fx.root, 'carol'));
    const missing = await carol('feed');
    expect(missing.code).toBe(EXIT.IDENTITY);
    expect(missing.err).toHaveLength(1);
    expect(missing.err[0]).toMatch(/^error: no identity at .* \(run "init" first\)$/);

    expect((await carol('frobnicate')).code).toBe(EXIT.USAGE);
    expect((await carol('post', '--bogus', 'x')).code).toBe(EXIT.USAGE);
    expect((await carol('init')).code).toBe(EXIT.OK);
    expect((await carol('init')).code).toBe(EXIT.IDENTITY);

    const mismatched = await carol('join', '--hub', fx.hub.url, '--region-public', fx.region.publicKey, '--region-private', generateKeyPair().private);
    expect(mismatched.code).toBe(EXIT.USAGE);
    expect(mismatched.err[0]).toMatch(/does not belong/);

    const unknown = generateKeyPair();
    expect((await carol('join', '--hub', fx.hub.url, '--region-public', unknown.public, '--region-private', unknown.private)).code).toBe(EXIT.OK);
    const refused = await carol('sync');
    expect(refused.code).toBe(EXIT.HUB_REFUSED);
    expect(refused.err).toEqual([expect.stringMatching(/^error: region .*: hub UNAUTHENTICATED: /)]);

    expect((await carol('post', '--to', 'not-a-key', 'x')).code).toBe(EXIT.INVALID_INPUT);
  });
});

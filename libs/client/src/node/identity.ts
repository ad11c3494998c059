/**
 * The identity file: the person's keys, the friends keys they hold and the regions they belong
 * to. It holds private keys, so it is only ever written with mode 0600, atomically.
 */
import { promises as fs } from 'node:fs';
import { decodeKeyPair, generateKeyPair, KeyError, type KeyPair } from '@kiki/crypto';
import type { Identity, RegionMembership } from '../core/identity';
import { isNotFound, writeFileAtomic } from './fs-util';

export type { Identity, RegionMembership };

export type IdentityErrorCode = 'IDENTITY_MISSING' | 'IDENTITY_EXISTS' | 'IDENTITY_INVALID' | 'IDENTITY_INSECURE';

export class IdentityError extends Error {
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}

/** A fresh identity: new person keys, a new friends key (nobody holds it yet), no regions yet. */
export function createIdentity(): Identity {
  return { person: generateKeyPair(), friendsKey: generateKeyPair(), friends: [], regions: [] };
}

function checkPair(v: unknown, field: string): KeyPair {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new IdentityError('IDENTITY_INVALID', `${field} must be a keypair object`);
  const o = v as Record<string, unknown>;
  if (typeof o.public !== 'string' || typeof o.private !== 'string') {
    throw new IdentityError('IDENTITY_INVALID', `${field} needs string "public" and "private" keys`);
  }
  const kp = { public: o.public, private: o.private };
  try {
    // A pair whose halves do not match would seal letters nobody can open or verify.
    decodeKeyPair(kp, field);
  } catch (err) {
    throw new IdentityError('IDENTITY_INVALID', err instanceof KeyError ? err.message : `${field} is not a valid keypair`);
  }
  return kp;
}

function checkHubUrl(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new IdentityError('IDENTITY_INVALID', `${field} must be a URL string`);
  return normalizeHubUrl(v, field);
}

/** An http(s) URL without trailing slash, so that one hub always yields the same sync-state key. */
export function normalizeHubUrl(url: string, field = 'hub'): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new IdentityError('IDENTITY_INVALID', `${field} is not a URL: ${JSON.stringify(url.slice(0, 200))}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new IdentityError('IDENTITY_INVALID', `${field} must be an http(s) URL`);
  if (u.username || u.password) throw new IdentityError('IDENTITY_INVALID', `${field} must not carry credentials`);
  u.hash = '';
  u.search = '';
  return u.toString().replace(/\/+$/, '');
}

/** Validates an identity read from JSON; returns a fresh object holding only the known fields. */
export function parseIdentity(value: unknown): Identity {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new IdentityError('IDENTITY_INVALID', 'the identity must be a JSON object');
  const o = value as Record<string, unknown>;
  const person = checkPair(o.person, 'person');
  if (o.friends !== undefined && !Array.isArray(o.friends)) throw new IdentityError('IDENTITY_INVALID', 'friends must be an array of keypairs');
  const friends = ((o.friends as unknown[] | undefined) ?? []).map((f, i) => checkPair(f, `friends[${i}]`));
  const friendsKey = o.friendsKey === undefined || o.friendsKey === null ? undefined : checkPair(o.friendsKey, 'friendsKey');
  if (o.regions !== undefined && !Array.isArray(o.regions)) throw new IdentityError('IDENTITY_INVALID', 'regions must be an array');
  const seen = new Set<string>();
  const regions = ((o.regions as unknown[] | undefined) ?? []).map((r, i) => {
    const kp = checkPair(r, `regions[${i}]`);
    if (seen.has(kp.public)) throw new IdentityError('IDENTITY_INVALID', `regions[${i}] repeats region ${kp.public}`);
    seen.add(kp.public);
    if (kp.public === person.public) throw new IdentityError('IDENTITY_INVALID', `regions[${i}] is the person's own key`);
    const hub = checkHubUrl((r as Record<string, unknown>).hub, `regions[${i}].hub`);
    return hub ? { ...kp, hub } : kp;
  });
  return friendsKey ? { person, friendsKey, friends, regions } : { person, friends, regions };
}

export interface LoadIdentityOptions {
  /** What to do when the file is readable by group or others: tighten to 0600 (default) or refuse. */
  insecureMode?: 'fix' | 'refuse';
  /** Told when the mode was tightened, so a CLI can warn. */
  onWarning?: (message: string) => void;
}

export async function loadIdentity(path: string, opts: LoadIdentityOptions = {}): Promise<Identity> {
  let text: string;
  try {
    const st = await fs.stat(path);
    // Private keys readable by others were a flaw of the original kiki: never accept that quietly.
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      const shown = (st.mode & 0o777).toString(8).padStart(4, '0');
      if (opts.insecureMode === 'refuse') {
        throw new IdentityError('IDENTITY_INSECURE', `${path} is readable by others (mode ${shown}); run chmod 600 on it`);
      }
      await fs.chmod(path, 0o600);
      opts.onWarning?.(`${path} was readable by others (mode ${shown}); its mode is now 0600`);
    }
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    if (isNotFound(err)) throw new IdentityError('IDENTITY_MISSING', `no identity at ${path} (run "init" first)`);
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new IdentityError('IDENTITY_INVALID', `${path} is not valid JSON`);
  }
  return parseIdentity(json);
}

/** Writes the identity with mode 0600 via temp file + rename (never a half-written key file). */
export async function saveIdentity(path: string, identity: Identity): Promise<void> {
  const clean = parseIdentity(identity);
  await writeFileAtomic(path, `${JSON.stringify(clean, null, 2)}\n`, 0o600);
}

/** Creates a new identity file; refuses to overwrite an existing one unless `overwrite`. */
export async function initIdentity(path: string, opts: { overwrite?: boolean } = {}): Promise<Identity> {
  if (!opts.overwrite) {
    const exists = await fs.stat(path).then(
      () => true,
      (err) => (isNotFound(err) ? false : Promise.reject(err)),
    );
    if (exists) throw new IdentityError('IDENTITY_EXISTS', `an identity already exists at ${path}; it holds your private key, so it is not replaced`);
  }
  const identity = createIdentity();
  await saveIdentity(path, identity);
  return identity;
}

/** Adds a region or updates its hub; the region keypair must be consistent. */
export function withRegion(identity: Identity, region: RegionMembership): Identity {
  const kp = checkPair(region, 'region');
  const hub = checkHubUrl(region.hub, 'hub');
  if (kp.public === identity.person.public) throw new IdentityError('IDENTITY_INVALID', "a region key cannot be the person's own key");
  const entry: RegionMembership = hub ? { ...kp, hub } : kp;
  const regions = identity.regions.filter((r) => r.public !== kp.public);
  const at = identity.regions.findIndex((r) => r.public === kp.public);
  if (at >= 0) regions.splice(at, 0, entry);
  else regions.push(entry);
  return { ...identity, regions };
}

/** The region to use: the one named, or the only/first one. */
export function pickRegion(identity: Identity, publicKey?: string): RegionMembership {
  if (publicKey) {
    const r = identity.regions.find((x) => x.public === publicKey);
    if (!r) throw new IdentityError('IDENTITY_INVALID', `this identity has not joined region ${publicKey}`);
    return r;
  }
  const first = identity.regions[0];
  if (!first) throw new IdentityError('IDENTITY_INVALID', 'this identity has joined no region yet (run "join" first)');
  return first;
}

/** Keeps the identity in its file (mode 0600, atomic). */
export class FileIdentityKeeper {
  constructor(readonly path: string) {}

  save(identity: Identity): Promise<void> {
    return saveIdentity(this.path, identity);
  }
}

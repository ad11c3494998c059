import { Injectable, Logger } from '@nestjs/common';
import {
  DEFAULT_LIMITS,
  type EnvelopeLimits,
  generateKeyPair,
  keyPairFromPrivate,
  type KeyPair,
  Opener,
  RegionValidator,
} from '@kiki/crypto';
import { RegionEntity, RegionRepository, type SenderPolicy } from '@kiki/storage';
import { LRUCache } from 'lru-cache';
import { HubError } from '../common/errors';
import { requireKey32 } from '../common/keys';
import { KeyVault } from './key-vault';

/** Everything the request path needs about one region, with its secrets decrypted once. */
export interface RegionContext {
  regionId: number;
  publicKey: string;
  name: string;
  keys: KeyPair;
  hub: KeyPair;
  validator: RegionValidator;
  /** opens public letters (those sealed to the region key) */
  opener: Opener;
  limits: EnvelopeLimits;
  defaultQuotaBytes: number;
  trustedQuotaBytes: number;
  /** what an envelope without a verified v2 signature may do here (docs/quotas.md) */
  senderPolicy: SenderPolicy;
  /** cap on the region's counted bytes; null: none */
  maxTotalBytes: number | null;
  /** cap on the number of unproven senders the region counts; null: none (docs/quotas.md) */
  maxUnprovenSenders: number | null;
  /** /r/<region>/* (but ping) needs a one-time sync token */
  kikiRoutesRequireToken: boolean;
  createdAt: Date;
}

export interface RegionSummary {
  publicKey: string;
  name: string;
  hubPublicKey: string;
  maxEnvelopeBytes: number;
  defaultQuotaBytes: number;
  trustedQuotaBytes: number;
  createdAt: Date;
}

// Region rows change rarely (admin edits); other hub processes see edits within this time.
const CACHE_TTL_MS = 30_000;
// Keys of regions this hub does not carry, remembered briefly: a stranger naming random regions
// costs no query each, and an unknown region answers as fast as a known one (no timing oracle).
const UNKNOWN_TTL_MS = 5_000;

@Injectable()
export class RegionService {
  private readonly log = new Logger(RegionService.name);
  private readonly cache = new Map<string, { ctx: RegionContext; at: number }>();
  private readonly unknown = new LRUCache<string, true>({ max: 10_000, ttl: UNKNOWN_TTL_MS });

  constructor(
    private readonly regions: RegionRepository,
    private readonly vault: KeyVault,
  ) {}

  /** Creates a region with fresh keys, or imports an existing one (such as kiki's default region). */
  async create(name: string, keys?: KeyPair): Promise<RegionContext> {
    if (!name || name.length > 200) throw new HubError('BAD_REQUEST', 'a region needs a name of 1 to 200 characters', 'name');
    let regionKeys: KeyPair;
    if (keys) {
      requireKey32(keys.public, 'public', 'region');
      requireKey32(keys.private, 'private', 'private');
      regionKeys = keyPairFromPrivate(keys.private);
      if (regionKeys.public !== keys.public) {
        throw new HubError('INVALID_KEY', 'the private key does not belong to the public key given', 'private');
      }
    } else {
      regionKeys = generateKeyPair();
    }
    if (await this.regions.findByPublicKey(regionKeys.public)) {
      throw new HubError('CONFLICT', `region ${regionKeys.public} is already on this hub`, 'public');
    }
    const hub = generateKeyPair();
    const row = await this.regions.create({
      publicKey: regionKeys.public,
      name,
      privateKeyEnc: this.vault.seal(Buffer.from(regionKeys.private, 'utf8')),
      hubPublicKey: hub.public,
      hubPrivateKeyEnc: this.vault.seal(Buffer.from(hub.private, 'utf8')),
    });
    this.unknown.delete(row.publicKey);
    this.log.log({ msg: 'region created', region: row.publicKey, name });
    return this.toContext(row);
  }

  async list(): Promise<RegionSummary[]> {
    return (await this.regions.list()).map(summary);
  }

  /** The region or a 404 naming the key the caller gave. */
  async get(publicKey: string): Promise<RegionContext> {
    const ctx = await this.find(publicKey);
    if (!ctx) throw new HubError('UNKNOWN_REGION', `this hub carries no region with public key ${publicKey}`, 'region');
    return ctx;
  }

  async find(publicKey: string): Promise<RegionContext | null> {
    requireKey32(publicKey, 'region', 'region');
    const hit = this.cache.get(publicKey);
    if (hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.ctx;
    if (this.unknown.has(publicKey)) return null;
    const row = await this.regions.findByPublicKey(publicKey);
    if (!row) {
      this.unknown.set(publicKey, true);
      return null;
    }
    const ctx = this.toContext(row);
    this.cache.set(publicKey, { ctx, at: Date.now() });
    return ctx;
  }

  invalidate(publicKey: string): void {
    this.cache.delete(publicKey);
    this.unknown.delete(publicKey);
  }

  private toContext(row: RegionEntity): RegionContext {
    const keys: KeyPair = { public: row.publicKey, private: this.vault.open(row.privateKeyEnc).toString('utf8') };
    const hub: KeyPair = { public: row.hubPublicKey, private: this.vault.open(row.hubPrivateKeyEnc).toString('utf8') };
    return {
      regionId: row.regionId,
      publicKey: row.publicKey,
      name: row.name,
      keys,
      hub,
      validator: new RegionValidator(keys),
      opener: new Opener([keys]),
      // frozen: parseEnvelope resolves a frozen limits object once, not once per envelope
      limits: Object.freeze({
        ...DEFAULT_LIMITS,
        maxEnvelopeBytes: row.maxEnvelopeBytes,
        maxSealedLetterBytes: Math.min(DEFAULT_LIMITS.maxSealedLetterBytes, row.maxEnvelopeBytes),
      }),
      defaultQuotaBytes: Number(row.defaultQuotaBytes),
      trustedQuotaBytes: Number(row.trustedQuotaBytes),
      senderPolicy: row.senderPolicy,
      maxTotalBytes: row.maxTotalBytes === null ? null : Number(row.maxTotalBytes),
      maxUnprovenSenders: row.maxUnprovenSenders,
      kikiRoutesRequireToken: row.kikiRoutesRequireToken,
      createdAt: row.createdAt,
    };
  }
}

function summary(r: RegionEntity): RegionSummary {
  return {
    publicKey: r.publicKey,
    name: r.name,
    hubPublicKey: r.hubPublicKey,
    maxEnvelopeBytes: r.maxEnvelopeBytes,
    defaultQuotaBytes: Number(r.defaultQuotaBytes),
    trustedQuotaBytes: Number(r.trustedQuotaBytes),
    createdAt: r.createdAt,
  };
}

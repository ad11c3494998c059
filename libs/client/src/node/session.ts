/** A Kiki session on Node: identity file, LevelDB store per region, hub client, sodium-native. */
import { join } from 'node:path';
import { Kiki } from '../core/kiki';
import type { EnvelopeStore } from '../core/store';
import { nodeCrypto } from './crypto';
import { HubClient, type HubClientOptions } from './hub-client';
import { FileIdentityKeeper, type Identity, loadIdentity, pickRegion, type RegionMembership } from './identity';
import { LevelEnvelopeStore } from './level-store';

export interface OpenKikiOptions {
  /** the identity file */
  identityPath: string;
  /** the directory holding one store per region */
  dataDir: string;
  /** the region (public key) when the identity joined several */
  region?: string;
  hubOptions?: HubClientOptions;
  onWarning?: (message: string) => void;
  now?: () => Date;
}

export interface KikiSession {
  kiki: Kiki;
  identity: Identity;
  region: RegionMembership;
  store: EnvelopeStore;
  hub?: HubClient;
  close(): Promise<void>;
}

/** The store directory of one region. */
export function regionStoreDir(dataDir: string, region: string): string {
  return join(dataDir, region);
}

export async function openKiki(opts: OpenKikiOptions): Promise<KikiSession> {
  const identity = await loadIdentity(opts.identityPath, { onWarning: opts.onWarning });
  const region = pickRegion(identity, opts.region);
  const store = await LevelEnvelopeStore.open(regionStoreDir(opts.dataDir, region.public), { region: region.public });
  const hub = region.hub ? new HubClient(region.hub, region, identity.person, opts.hubOptions) : undefined;
  const kiki = new Kiki({ crypto: nodeCrypto, identity, keeper: new FileIdentityKeeper(opts.identityPath), region, store, transport: hub, now: opts.now });
  return { kiki, identity, region, store, hub, close: () => store.close() };
}

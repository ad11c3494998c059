/** KikiCrypto for Node: @kiki/crypto (sodium-native) and @kiki/sync. */
import {
  base58Decode,
  base58Encode,
  generateKeyPair,
  isValidKey,
  keyPairFromJson,
  KikiCryptoError,
  type KeyPair,
  Opener,
  parseEnvelope,
  parseTimestamp,
  RegionValidator,
  seal,
} from '@kiki/crypto';
import { NegentropyClient, ReconcileProtocolError } from '@kiki/sync';
import type { KikiCrypto } from '../core/crypto';
import { PackedReconStorage } from './recon-storage';

const validators = new Map<string, RegionValidator>();

function validatorFor(region: KeyPair): RegionValidator {
  const key = `${region.public}|${region.private}`;
  let v = validators.get(key);
  if (!v) {
    v = new RegionValidator(region);
    validators.set(key, v);
  }
  return v;
}

export const nodeCrypto: KikiCrypto = {
  generateKeyPair,
  isValidKey,
  keyPairFromJson: (json) => keyPairFromJson(json),
  seal: (input, sender, regionPublic, opts) => seal(input, sender, regionPublic, opts ?? {}),
  opener: (keys) => new Opener(keys),
  parseEnvelope: (raw) => parseEnvelope(raw),
  validateRegionSignature: (region, env) => validatorFor(region).validate(env),
  timestampMs: (ts) => parseTimestamp(ts).ms,
  base58Encode,
  base58Decode,
  reconciler: (items, opts) => new NegentropyClient(new PackedReconStorage(items), { frameSizeLimit: opts.frameSizeLimit }),
  isInputError: (err) => err instanceof KikiCryptoError,
  isReconcileProtocolError: (err): err is ReconcileProtocolError => err instanceof ReconcileProtocolError,
};

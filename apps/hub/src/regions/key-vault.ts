import sodium from 'sodium-native';
import { base58Decode } from '@kiki/crypto';

const NONCE = sodium.crypto_secretbox_NONCEBYTES;
const MAC = sodium.crypto_secretbox_MACBYTES;

/** Encrypts region and hub secrets at rest with the operator's master key (XSalsa20-Poly1305). */
export class KeyVault {
  private readonly key: Buffer;

  constructor(masterKey: Uint8Array) {
    if (masterKey.length !== sodium.crypto_secretbox_KEYBYTES) throw new Error('master key must be 32 bytes');
    this.key = sodium.sodium_malloc(sodium.crypto_secretbox_KEYBYTES);
    this.key.set(masterKey);
  }

  static fromText(text: string): KeyVault {
    const bytes = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(base58Decode(text));
    return new KeyVault(bytes);
  }

  seal(plain: Uint8Array): Buffer {
    const out = Buffer.alloc(NONCE + MAC + plain.length);
    const nonce = out.subarray(0, NONCE);
    sodium.randombytes_buf(nonce);
    sodium.crypto_secretbox_easy(out.subarray(NONCE), Buffer.from(plain), nonce, this.key);
    return out;
  }

  open(sealed: Buffer): Buffer {
    if (sealed.length < NONCE + MAC) throw new Error('sealed secret is too short');
    const out = Buffer.alloc(sealed.length - NONCE - MAC);
    if (!sodium.crypto_secretbox_open_easy(out, sealed.subarray(NONCE), sealed.subarray(0, NONCE), this.key)) {
      throw new Error('cannot decrypt a stored secret: HUB_MASTER_KEY differs from the key it was stored with');
    }
    return out;
  }
}

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { HubConfig } from '../config/hub-config';
import { KeyVault } from './key-vault';

/**
 * The development key lives in the user's home, not in the checkout: the development database
 * outlives a checkout, and a fresh clone with a new key could not open the regions stored before.
 */
export function devMasterKeyFile(config: HubConfig): string {
  return config.HUB_MASTER_KEY_FILE ? resolve(config.HUB_MASTER_KEY_FILE) : join(homedir(), '.kiki-hub', 'master.key');
}

/**
 * The operator's HUB_MASTER_KEY, or outside production a random key kept in a file (mode 0600)
 * so that a zero-config start still encrypts at rest.
 */
export function loadKeyVault(config: HubConfig, log = new Logger('KeyVault')): KeyVault {
  if (config.HUB_MASTER_KEY) return KeyVault.fromText(config.HUB_MASTER_KEY);
  const file = devMasterKeyFile(config);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    log.warn({ msg: 'HUB_MASTER_KEY is not set: generated a development key', file });
  }
  chmodSync(file, 0o600);
  return KeyVault.fromText(readFileSync(file, 'utf8').trim());
}

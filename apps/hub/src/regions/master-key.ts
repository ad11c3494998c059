import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { HubConfig } from '../config/hub-config';
import { KeyVault } from './key-vault';

export const DEV_MASTER_KEY_FILE = resolve(process.cwd(), '.kiki-hub/master.key');

/**
 * The operator's HUB_MASTER_KEY, or outside production a random key kept in
 * .kiki-hub/master.key (mode 0600) so that a zero-config start still encrypts at rest.
 */
export function loadKeyVault(config: HubConfig, log = new Logger('KeyVault')): KeyVault {
  if (config.HUB_MASTER_KEY) return KeyVault.fromText(config.HUB_MASTER_KEY);
  if (!existsSync(DEV_MASTER_KEY_FILE)) {
    mkdirSync(dirname(DEV_MASTER_KEY_FILE), { recursive: true, mode: 0o700 });
    writeFileSync(DEV_MASTER_KEY_FILE, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    log.warn({ msg: 'HUB_MASTER_KEY is not set: generated a development key', file: DEV_MASTER_KEY_FILE });
  }
  chmodSync(DEV_MASTER_KEY_FILE, 0o600);
  return KeyVault.fromText(readFileSync(DEV_MASTER_KEY_FILE, 'utf8').trim());
}

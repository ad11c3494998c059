import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/hub-config';

describe('loadConfig', () => {
  it('has working defaults for a development start', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ NODE_ENV: 'development', PORT: 8080, MIGRATE_ON_START: true, REDIS_PREFIX: 'kiki' });
  });

  it('parses numbers and booleans from text', () => {
    const c = loadConfig({ PORT: '9000', MIGRATE_ON_START: 'false', MAX_BATCH_ENVELOPES: '250' });
    expect(c).toMatchObject({ PORT: 9000, MIGRATE_ON_START: false, MAX_BATCH_ENVELOPES: 250 });
  });

  it('names every bad variable, one message each', () => {
    let err: ConfigError | undefined;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', HUB_MASTER_KEY: 'short', LOG_LEVEL: 'loud', REDIS_PREFIX: 'has space' });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = err!.problems.join('\n');
    for (const v of ['PORT', 'DATABASE_URL', 'HUB_MASTER_KEY', 'LOG_LEVEL', 'REDIS_PREFIX']) expect(text).toContain(v);
  });

  it('refuses production without a master key', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/HUB_MASTER_KEY is required/);
    expect(loadConfig({ NODE_ENV: 'production', HUB_MASTER_KEY: 'ab'.repeat(32) }).HUB_MASTER_KEY).toBe('ab'.repeat(32));
  });
});

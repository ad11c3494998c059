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

describe('loadConfig (issue 12: no silent mistakes)', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (e) {
      return (e as ConfigError).problems;
    }
    return [];
  };

  it('refuses a boolean that is not a boolean word, naming the variable and the value', () => {
    expect(problems({ RUN_WORKERS: 'ture' })).toEqual(['RUN_WORKERS must be true or false (got "ture")']);
    expect(problems({ MIGRATE_ON_START: 'yes please' })).toEqual(['MIGRATE_ON_START must be true or false (got "yes please")']);
    for (const [word, value] of [['TRUE', true], ['on', true], ['1', true], ['no', false], ['Off', false], ['0', false]] as const) {
      expect(loadConfig({ RUN_WORKERS: word }).RUN_WORKERS).toBe(value);
    }
  });

  it('gives one line per bad variable, even when several rules fail', () => {
    const p = problems({ PORT: 'eighty', RUN_WORKERS: 'maybe', CREATE_DATABASE: 'perhaps' });
    expect(p).toHaveLength(3);
    expect(p.filter((l) => l.includes('PORT'))).toHaveLength(1);
  });

  it('reads every decorated property, optional ones without a default included', async () => {
    const { configVariables, HubConfig } = await import('../src/config/hub-config');
    const vars = configVariables();
    for (const v of ['HUB_MASTER_KEY', 'HUB_MASTER_KEY_FILE', 'ADMIN_TOKEN', ...Object.keys(new HubConfig())]) expect(vars).toContain(v);
    // an optional variable is read from the environment with no hand-kept list
    expect(loadConfig({ ADMIN_TOKEN: 'x'.repeat(40) }).ADMIN_TOKEN).toBe('x'.repeat(40));
    expect(problems({ ADMIN_TOKEN: 'short' })[0]).toMatch(/ADMIN_TOKEN/);
  });

  it('knows which variables were set, and refuses running without Redis in production', async () => {
    const { isSet } = await import('../src/config/hub-config');
    const c = loadConfig({ REDIS_URL: 'none' });
    expect(isSet(c, 'REDIS_URL')).toBe(true);
    expect(isSet(c, 'DATABASE_URL')).toBe(false);
    expect(problems({ NODE_ENV: 'production', HUB_MASTER_KEY: 'ab'.repeat(32), REDIS_URL: 'none' })[0]).toMatch(/REDIS_URL=none .* development only/);
  });
});

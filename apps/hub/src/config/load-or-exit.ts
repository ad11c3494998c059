import { ConfigError, type HubConfig, loadConfig } from './hub-config';

/**
 * For the entry points (hub, worker): the configuration from process.env, or, when it is
 * invalid, one JSON line listing every problem and exit code 78 (EX_CONFIG). Other errors are thrown.
 */
export function loadConfigOrExit(): HubConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(JSON.stringify({ level: 'fatal', msg: 'invalid configuration', problems: err.problems }) + '\n');
      process.exit(78);
    }
    throw err;
  }
}

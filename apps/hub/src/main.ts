import { ConfigError, loadConfig } from './config/hub-config';
import { startHub } from './bootstrap';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(JSON.stringify({ level: 'fatal', msg: 'invalid configuration', problems: err.problems }) + '\n');
      process.exit(78);
    }
    throw err;
  }
  await startHub(config);
}

main().catch((err) => {
  process.stderr.write(JSON.stringify({ level: 'fatal', msg: 'hub failed to start', err: String(err?.stack ?? err) }) + '\n');
  process.exit(1);
});

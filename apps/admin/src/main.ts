import { Logger } from '@nestjs/common';
import { createAdminApp } from './bootstrap';
import { AdminConfigError, loadAdminConfig } from './config/admin-config';
import { adminLogger } from './logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadAdminConfig();
  } catch (err) {
    if (err instanceof AdminConfigError) {
      process.stderr.write(JSON.stringify({ level: 'fatal', msg: 'invalid configuration', problems: err.problems }) + '\n');
      process.exit(78);
    }
    throw err;
  }
  const logger = adminLogger(config.LOG_LEVEL);
  Logger.overrideLogger(logger);
  const app = await createAdminApp(config, { logger });
  await app.listen(config.ADMIN_PORT, config.ADMIN_HOST);
  logger.log({ msg: 'kiki admin listening', url: `http://${config.ADMIN_HOST}:${config.ADMIN_PORT}`, hub: config.hubUrl });
}

main().catch((err) => {
  process.stderr.write(JSON.stringify({ level: 'fatal', msg: 'admin app failed to start', err: String(err?.stack ?? err) }) + '\n');
  process.exit(1);
});

import { loadConfigOrExit } from './config/load-or-exit';
import { startHub } from './bootstrap';
import { stopStartedServices } from './services/dev-services';
import { ServiceUnreachableError } from './services/service-check';

async function main(): Promise<void> {
  await startHub(loadConfigOrExit());
}

main().catch(async (err) => {
  await stopStartedServices();
  // a service that does not answer is an operator's matter: one line that says what to do, no stack
  if (err instanceof ServiceUnreachableError) {
    process.stderr.write(JSON.stringify({ level: 'fatal', msg: err.message, service: err.service }) + '\n');
    process.exit(69);
  }
  process.stderr.write(JSON.stringify({ level: 'fatal', msg: 'hub failed to start', err: String(err?.stack ?? err) }) + '\n');
  process.exit(1);
});

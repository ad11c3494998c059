/* eslint-disable */
// `npm run worker` for a test: the real worker entry, configured by the environment the test gives.
require('../../support/swc-register.js');
const { startWorker } = require('../../../apps/hub/src/worker.ts');
const { loadConfig } = require('../../../apps/hub/src/config/hub-config.ts');

startWorker(loadConfig(process.env), { logger: false }).then(
  () => process.send && process.send('ready'),
  (err) => {
    process.stderr.write(String((err && err.stack) || err) + '\n');
    process.exit(1);
  },
);

#!/usr/bin/env node
// The `kiki` command: runs the compiled CLI (apps/cli) from this checkout's dist/ (run `npm run build` first).
'use strict';
const { join } = require('node:path');
const { existsSync } = require('node:fs');

const main = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('error: the kiki CLI is not built yet; run "npm run build" in the kiki-hub checkout first\n');
  process.exit(1);
}
require(main).run(process.argv.slice(2));

import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { DEFAULT_REGION, type KeyPair } from '@kiki/crypto';
import { RegionRepository, type SenderPolicy, ensureDatabase, runMigrations } from '@kiki/storage';
import { ADMIN_USAGE, adminCommand } from './admin/admin.cli';
import { AppModule } from './app.module';
import { HubError } from './common/errors';
import { ConfigError, loadConfig } from './config/hub-config';
import { QuotaService } from './quota/quota.service';
import { RegionService } from './regions/region.service';
import { regionTransferCommand } from './regions/region-transfer.command';
import { postgresUnreachable, probePostgres, ServiceUnreachableError } from './services/service-check';

const USAGE = `Operator commands (npm run hub -- <command>):
  migrate                                   create the database if needed and apply migrations
  region list                               list regions on this hub
  region show <public key>                  one region, with what members need to sync
  region create --name <name>               a new region with fresh keys
  region import --name <name> --public <key> --private <key>
  region import-default                     kiki's default region
  region policy <public key> [--sender v1|v2-for-quota|v2-required] [--unproven-pool-bytes <n>] [--max-total-bytes <n>|none] [--max-unproven-senders <n>|none] [--kiki-routes-require-token true|false]
                                            show or set who is proven and what unproven envelopes may do
  region restore <public key> <id>...       undo evictions/erases still within the retention period
  region undo-erase <public key> <person>   undo a person's erase (their erase letters are removed)
  region export <public key> > region.jsonl move a region: everything of it, as JSON lines (progress on stderr)
  region import-file <public key> [file|-]  ... into a region imported here (with its keys) that holds nothing yet
${ADMIN_USAGE}
Options: --json for machine-readable output; --url <hub URL> used in printed flags (default http://localhost:$PORT)`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      public: { type: 'string' },
      private: { type: 'string' },
      json: { type: 'boolean', default: false },
      url: { type: 'string' },
      sender: { type: 'string' },
      'unproven-pool-bytes': { type: 'string' },
      'max-total-bytes': { type: 'string' },
      'max-unproven-senders': { type: 'string' },
      'kiki-routes-require-token': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      // admin accounts (admin.cli.ts)
      role: { type: 'string' },
      region: { type: 'string', multiple: true },
      'password-stdin': { type: 'boolean', default: false },
    },
  });
  const [group, verb, arg] = positionals;
  if (values.help || !group) {
    process.stdout.write(USAGE + '\n');
    return values.help ? 0 : 64;
  }
  const config = loadConfig();
  // --- issue 12: a Postgres that does not answer is one line, not a stack ---
  await probePostgres(config.DATABASE_URL).catch((err) => {
    throw postgresUnreachable(config.DATABASE_URL, err);
  });
  if (config.CREATE_DATABASE) await ensureDatabase(config.DATABASE_URL);
  await runMigrations(config.DATABASE_URL);
  if (group === 'migrate') {
    process.stdout.write('database is migrated\n');
    return 0;
  }
  // ---- admin accounts (apps/hub/src/admin/admin.cli.ts) ----
  if (group === 'admin') {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
    try {
      const code = await adminCommand(app, positionals.slice(1), { role: values.role, region: values.region, json: values.json, passwordStdin: values['password-stdin'] });
      if (code === -1) process.stderr.write(`unknown admin command "${verb ?? ''}"\n${USAGE}\n`);
      return code === -1 ? 64 : code;
    } finally {
      await app.close();
    }
  }
  if (group !== 'region') {
    process.stderr.write(`unknown command "${group}"\n${USAGE}\n`);
    return 64;
  }
  // --- moving a region (issue 12): plain storage, no app context (stdout carries the export) ---
  if (verb === 'export' || verb === 'import-file') return regionTransferCommand(config, verb, arg, positionals[3]);

  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const regions = app.get(RegionService);
    const hubUrl = values.url ?? `http://localhost:${config.PORT}`;
    const show = async (publicKey: string) => {
      const ctx = await regions.get(publicKey);
      const stats = await app.get(RegionRepository).stats(ctx.regionId);
      const info = {
        name: ctx.name,
        public: ctx.publicKey,
        hubIdentity: ctx.hub.public,
        syncUrl: `${hubUrl}/r/${ctx.publicKey}`,
        kikiFlags: `-sync ${hubUrl}/r/${ctx.publicKey}`,
        memberKeys: { public: ctx.keys.public, private: ctx.keys.private },
        maxEnvelopeBytes: ctx.limits.maxEnvelopeBytes,
        defaultQuotaBytes: ctx.defaultQuotaBytes,
        trustedQuotaBytes: ctx.trustedQuotaBytes,
        senderPolicy: ctx.senderPolicy,
        ...stats,
      };
      if (values.json) process.stdout.write(JSON.stringify(info, null, 2) + '\n');
      else {
        process.stdout.write(
          [
            `region      ${info.name}`,
            `public key  ${info.public}`,
            `hub id      ${info.hubIdentity}`,
            `envelopes   ${info.envelopes} live (${info.proven} proven by envelope v2), ${info.removed} removed, ${info.bytes} bytes, ${info.people} people`,
            `senders     policy ${info.senderPolicy}`,
            `quota       ${info.defaultQuotaBytes} bytes per person (${info.trustedQuotaBytes} trusted)`,
            ``,
            `Members run an original kiki with:   ${info.kikiFlags}`,
            `and the region keypair (a membership secret: share it only with members):`,
            `  ${JSON.stringify(info.memberKeys)}`,
          ].join('\n') + '\n',
        );
      }
    };
    switch (verb) {
      case 'list': {
        const list = await regions.list();
        if (values.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n');
        else for (const r of list) process.stdout.write(`${r.publicKey}  ${r.name}\n`);
        return 0;
      }
      case 'show':
        if (!arg) throw new HubError('BAD_REQUEST', 'region show needs the region public key');
        await show(arg);
        return 0;
      case 'create': {
        const ctx = await regions.create(values.name ?? '');
        await show(ctx.publicKey);
        return 0;
      }
      case 'import': {
        if (!values.public || !values.private) throw new HubError('BAD_REQUEST', 'region import needs --public and --private');
        const keys: KeyPair = { public: values.public, private: values.private };
        const ctx = await regions.create(values.name ?? '', keys);
        await show(ctx.publicKey);
        return 0;
      }
      case 'import-default': {
        const ctx = (await regions.find(DEFAULT_REGION.public)) ?? (await regions.create(values.name ?? 'kiki default region', DEFAULT_REGION));
        await show(ctx.publicKey);
        return 0;
      }
      case 'policy': {
        if (!arg) throw new HubError('BAD_REQUEST', 'region policy needs the region public key');
        const ctx = await regions.get(arg);
        const quotas = app.get(QuotaService);
        const poolText = values['unproven-pool-bytes'];
        const pool = poolText === undefined ? undefined : Number(poolText);
        if (pool !== undefined && !/^\d+$/.test(poolText as string)) throw new HubError('BAD_REQUEST', '--unproven-pool-bytes must be a whole number of bytes', 'unproven-pool-bytes');
        const capText = values['max-total-bytes'];
        if (capText !== undefined && capText !== 'none' && !/^\d+$/.test(capText)) throw new HubError('BAD_REQUEST', '--max-total-bytes must be a whole number of bytes, or none', 'max-total-bytes');
        const cap = capText === undefined ? undefined : capText === 'none' ? null : Number(capText);
        const sendersText = values['max-unproven-senders'];
        if (sendersText !== undefined && sendersText !== 'none' && !/^\d{1,10}$/.test(sendersText)) {
          throw new HubError('BAD_REQUEST', '--max-unproven-senders must be a whole number of senders, or none', 'max-unproven-senders');
        }
        const maxUnprovenSenders = sendersText === undefined ? undefined : sendersText === 'none' ? null : Number(sendersText);
        const tokenText = values['kiki-routes-require-token'];
        if (tokenText !== undefined && tokenText !== 'true' && tokenText !== 'false') {
          throw new HubError('BAD_REQUEST', '--kiki-routes-require-token must be true or false', 'kiki-routes-require-token');
        }
        const kikiRoutesRequireToken = tokenText === undefined ? undefined : tokenText === 'true';
        const settings =
          values.sender !== undefined || pool !== undefined || cap !== undefined || maxUnprovenSenders !== undefined || kikiRoutesRequireToken !== undefined
            ? await quotas.setSenderPolicy(ctx, (values.sender ?? (await quotas.getSenderPolicy(ctx)).policy) as SenderPolicy, pool, cap, { maxUnprovenSenders, kikiRoutesRequireToken })
            : await quotas.getSenderPolicy(ctx);
        if (values.json) process.stdout.write(JSON.stringify(settings, null, 2) + '\n');
        else {
          process.stdout.write(
            `sender policy  ${settings.policy}\nunproven pool  ${settings.unprovenPoolBytes} bytes\nregion cap     ${settings.maxTotalBytes ?? 'none'}\n` +
              `unproven senders ${settings.unprovenSenders} (cap ${settings.maxUnprovenSenders ?? 'none'})\n/r/ needs token ${settings.kikiRoutesRequireToken ? 'yes (unmodified original instances cannot sync)' : 'no'}\n`,
          );
        }
        return 0;
      }
      case 'restore': {
        const ids = positionals.slice(3);
        if (!arg || ids.length === 0) throw new HubError('BAD_REQUEST', 'region restore needs the region public key and one or more envelope ids');
        const n = await app.get(QuotaService).restoreEnvelopes(await regions.get(arg), ids);
        process.stdout.write(values.json ? JSON.stringify({ restored: n }) + '\n' : `${n} envelope(s) restored\n`);
        return 0;
      }
      case 'undo-erase': {
        const person = positionals[3];
        if (!arg || !person) throw new HubError('BAD_REQUEST', 'region undo-erase needs the region public key and the person');
        const n = await app.get(QuotaService).undoErase(await regions.get(arg), person);
        process.stdout.write(values.json ? JSON.stringify({ restored: n }) + '\n' : `erase undone; ${n} envelope(s) restored\n`);
        return 0;
      }
      default:
        process.stderr.write(`unknown region command "${verb ?? ''}"\n${USAGE}\n`);
        return 64;
    }
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof ConfigError) process.stderr.write(err.message + '\n');
    else if (err instanceof ServiceUnreachableError) process.stderr.write(`error: ${err.message}\n`);
    else if (err instanceof HubError) process.stderr.write(`error (${err.code}): ${err.message}\n`);
    else process.stderr.write(`error: ${err?.stack ?? err}\n`);
    process.exit(err instanceof ServiceUnreachableError ? 69 : err instanceof HubError || err instanceof ConfigError ? 2 : 1);
  },
);

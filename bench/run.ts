/**
 * `npm run bench`: every benchmark, one table each. Pick some with names:
 * `npm run bench -- crypto reconcile ingest quota graphql admin admin-web client`. Results go in docs/benchmarks.md by hand,
 * with the date and the machine's load, because a number without its conditions misleads.
 */
import { cpus, loadavg } from 'node:os';
import { runAdminBench } from './admin.bench';
import { runClientBench } from './client.bench';
import { runAdminWebBench } from './admin-web.bench';
import { runCryptoBench } from './crypto.bench';
import { runGraphqlBench } from './graphql.bench';
import { runIngestBench } from './ingest.bench';
import { runColdStartBench, runTransferBench } from './ops.bench';
import { runQuotaBench } from './quota.bench';
import { runReconcileBench } from './reconcile.bench';

type Rows = Array<Record<string, string | number>>;

const suites: Record<string, { title: string; run: () => Promise<Rows> }> = {
  crypto: { title: 'libs/crypto, one core', run: runCryptoBench },
  reconcile: { title: 'Reconciliation (negentropy) vs the original /list', run: () => runReconcileBench({ sizes: [10_000, 100_000] }) },
  ingest: { title: 'Ingest through POST /sync/:region/push (validated, committed)', run: () => runIngestBench() },
  quota: { title: 'Quota enforcement lag and sweep', run: () => runQuotaBench() },
  graphql: { title: 'GraphQL envelopes(first: 100), 50 clients, beside Postgres', run: () => runGraphqlBench() },
  admin: { title: 'Admin dashboard reads: overview of 1,000 regions, persons pages of 200,000 people', run: () => runAdminBench() },
  coldstart: { title: 'Cold start to ready: bare machine (embedded) and with services', run: () => runColdStartBench() },
  transfer: { title: 'Moving a region: region export / import-file (BENCH_TRANSFER_ENVELOPES, default 1M)', run: () => runTransferBench() },
  client: { title: 'libs/client: feed build and first sync, each in its own process (peak RSS)', run: () => runClientBench() },
  'admin-web': { title: 'Admin app: added latency of the /graphql pass-through over a direct call', run: () => runAdminWebBench({ requests: 200, people: 20_000 }) },
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !suites[w]);
  if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(suites).join(', ')}`);
  console.log(`kiki-hub benchmarks — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const name of wanted.length ? wanted : Object.keys(suites)) {
    const s = suites[name];
    const started = Date.now();
    console.log(`\n## ${name}: ${s.title}`);
    console.table(await s.run());
    console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

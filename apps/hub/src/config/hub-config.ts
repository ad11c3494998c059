import { plainToInstance, Transform } from 'class-transformer';
import { getMetadataStorage, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

// --- strict booleans (issue 12): anything but these words is an error, never a silent false ---
const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];
const bool = ({ value }: { value: unknown }) => {
  if (value === undefined || typeof value === 'boolean') return value;
  const word = String(value).trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  return value; // left as text: @IsBoolean refuses it with the variable's name
};
const BOOL_MESSAGE = { message: ({ property, value }: { property: string; value: unknown }) => `${property} must be true or false (got ${JSON.stringify(value)})` };
const int = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/** Every setting comes from an environment variable, parsed and checked once at start-up. */
export class HubConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/kiki_hub';

  /** `none` (development only): no Redis; the quota queue runs on Postgres, subscriptions within one process. */
  @IsString()
  @Matches(/^(rediss?:\/\/|none$)/, { message: 'REDIS_URL must be a redis:// URL (or "none" in development)' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of every Redis key and BullMQ queue this hub uses. */
  @IsString()
  @Matches(/^[A-Za-z0-9:_{}-]{1,64}$/, { message: 'REDIS_PREFIX may hold letters, digits, ":", "_", "-" and a {hash tag} (1-64)' })
  REDIS_PREFIX = 'kiki';

  @Transform(int)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8080;

  @IsString()
  HOST = '0.0.0.0';

  /** 32 bytes, base58 or 64 hex digits: encrypts region keys at rest. Required in production. */
  @IsOptional()
  @IsString()
  @Matches(/^([0-9a-fA-F]{64}|[1-9A-HJ-NP-Za-km-z]{43,44})$/, { message: 'HUB_MASTER_KEY must be 32 bytes as 64 hex digits or base58' })
  HUB_MASTER_KEY?: string;

  /** Where the development master key is kept when HUB_MASTER_KEY is unset (default ~/.kiki-hub/master.key). */
  @IsOptional()
  @IsString()
  HUB_MASTER_KEY_FILE?: string;

  @Transform(bool)
  @IsBoolean(BOOL_MESSAGE)
  MIGRATE_ON_START = true;

  /** Create the database named in DATABASE_URL when it is missing (zero-config start). */
  @Transform(bool)
  @IsBoolean(BOOL_MESSAGE)
  CREATE_DATABASE = true;

  /** Import kiki's default region on start, so an original kiki syncs with no set-up. */
  @Transform(bool)
  @IsBoolean(BOOL_MESSAGE)
  IMPORT_DEFAULT_REGION = true;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Requests signed more than this far in the past or future are refused (replay window). */
  @Transform(int)
  @IsInt()
  @Min(5)
  @Max(3600)
  SYNC_TOKEN_WINDOW_SECONDS = 300;

  /** Envelopes dated further ahead than this are refused (they would sort after everything). */
  @Transform(int)
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 3600)
  MAX_FUTURE_SKEW_SECONDS = 900;

  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(5000)
  MAX_BATCH_ENVELOPES = 1000;

  @Transform(int)
  @IsInt()
  @Min(1024)
  @Max(256 * 1024 * 1024)
  MAX_BODY_BYTES = 32 * 1024 * 1024;

  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  /** Run the quota workers and sweep inside the hub process (zero-config); off when `npm run worker` runs them. */
  @Transform(bool)
  @IsBoolean(BOOL_MESSAGE)
  RUN_WORKERS = true;

  /** How often the quota sweep recomputes usage and catches up missed work; 0 turns it off. */
  @Transform(int)
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 3600)
  QUOTA_SWEEP_EVERY_SECONDS = 600;

  /** Quota jobs one process runs at once (different people); waiting ones hold no database connection. */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(64)
  QUOTA_WORKER_CONCURRENCY = 16;

  /** Envelopes removed per eviction transaction (one step). */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(5000)
  QUOTA_EVICTION_BATCH = 500;

  /** A quota job whose worker stops renewing its lock this long is retried by another worker. */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(600)
  QUOTA_JOB_LOCK_SECONDS = 30;

  /** How long an erase or eviction can be undone by an admin (its sealed fields are kept); the sweep forgets older ones. */
  @Transform(int)
  @IsInt()
  @Min(0)
  @Max(365 * 24 * 3600)
  REMOVAL_RETENTION_SECONDS = 7 * 24 * 3600;

  /**
   * Bearer token for the GraphQL admin operations (create/import regions, quotas): at least 32
   * characters, e.g. `openssl rand -hex 32`. Unset: every admin operation is refused.
   */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'ADMIN_TOKEN must be at least 32 characters (e.g. `openssl rand -hex 32`)' })
  ADMIN_TOKEN?: string;

  /** Lifetime of an admin session token from `adminLogin` / `adminRefreshSession` (idle expiry). */
  @Transform(int)
  @IsInt()
  @Min(60)
  @Max(24 * 3600)
  ADMIN_SESSION_TTL_SECONDS = 900;

  /** No refresh extends an admin session past this long after its login (absolute expiry). */
  @Transform(int)
  @IsInt()
  @Min(60)
  @Max(30 * 24 * 3600)
  ADMIN_SESSION_MAX_SECONDS = 43200;

  /** Failed admin logins per account within ADMIN_LOGIN_WINDOW_SECONDS before that account's logins are refused. */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(1000)
  ADMIN_LOGIN_MAX_FAILURES = 5;

  /** Failed admin logins per client IP within the window before that IP's logins are refused. */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(100_000)
  ADMIN_LOGIN_MAX_FAILURES_PER_IP = 20;

  /** The admin login throttling window, in seconds. */
  @Transform(int)
  @IsInt()
  @Min(10)
  @Max(24 * 3600)
  ADMIN_LOGIN_WINDOW_SECONDS = 900;

  /**
   * Peers whose `X-Forwarded-For` names the client of an admin login (the admin app's address),
   * comma-separated; other peers are throttled by their own address.
   */
  @IsString()
  @Matches(/^[0-9A-Fa-f.:,\s]*$/, { message: 'ADMIN_TRUSTED_PROXIES must be a comma-separated list of IP addresses' })
  ADMIN_TRUSTED_PROXIES = '127.0.0.1,::1,::ffff:127.0.0.1';

  /** In development, create the admin account `admin` (hub admin) on start when there is none, printing its password once. */
  @Transform(bool)
  @IsBoolean(BOOL_MESSAGE)
  CREATE_DEV_ADMIN = true;

  /** How often the quota worker records each region's usage (bytes, envelopes, people) for `usageSeries`; 0 turns it off. */
  @Transform(int)
  @IsInt()
  @Min(0)
  @Max(24 * 3600)
  USAGE_SAMPLE_EVERY_SECONDS = 300;

  /** Usage samples older than this are deleted. */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(3660)
  USAGE_SAMPLE_RETENTION_DAYS = 90;

  /** Deepest GraphQL selection accepted; deeper operations are refused before they run. */
  @Transform(int)
  @IsInt()
  @Min(3)
  @Max(50)
  GRAPHQL_MAX_DEPTH = 10;

  /** Highest GraphQL complexity accepted (about one point per field per item a page can return). */
  @Transform(int)
  @IsInt()
  @Min(100)
  @Max(1_000_000)
  GRAPHQL_MAX_COMPLEXITY = 5000;

  /** Memory for the shared cache of GraphQL `envelopes` pages, in MiB per process; 0 turns it off. */
  @Transform(int)
  @IsInt()
  @Min(0)
  @Max(64 * 1024)
  GRAPHQL_PAGE_CACHE_MB = 64;

  /**
   * evictionHappened: how often a hub process with subscribers re-reads a region's eviction log
   * when no quota worker told it (through Redis) that it evicted there. A safety net for lost
   * notices only.
   */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(3600)
  GRAPHQL_EVICTION_POLL_SECONDS = 5;

  /** Largest GraphQL request body (POST /graphql); the other routes keep MAX_BODY_BYTES. */
  @Transform(int)
  @IsInt()
  @Min(1024)
  @Max(256 * 1024 * 1024)
  GRAPHQL_MAX_BODY_BYTES = 8 * 1024 * 1024;

  // ---- availability: abuse bounds (issue 11, docs/reliability.md) ----

  /** Bytes one process may hold for request bodies being read, all requests together (503 beyond). */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(16 * 1024)
  BODY_BUFFER_TOTAL_MB = 128;

  /** Largest GraphQL body of a request whose credentials cannot be checked before reading (no token or a malformed one). */
  @Transform(int)
  @IsInt()
  @Min(1024)
  @Max(256 * 1024 * 1024)
  GRAPHQL_ANONYMOUS_BODY_BYTES = 64 * 1024;

  /** Time a client has to send a whole request, headers and body (Node's default is 300 s). */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(3600)
  HTTP_REQUEST_TIMEOUT_SECONDS = 30;

  /** Time a client has to send a request's headers. */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(600)
  HTTP_HEADERS_TIMEOUT_SECONDS = 10;

  /** Serve /docs (OpenAPI). Default: on, except with NODE_ENV=production. */
  @IsOptional()
  @Transform(bool)
  @IsBoolean(BOOL_MESSAGE)
  DOCS_ENABLED?: boolean;

  /** Answer GraphQL introspection. Default: on, except with NODE_ENV=production. */
  @IsOptional()
  @Transform(bool)
  @IsBoolean(BOOL_MESSAGE)
  GRAPHQL_INTROSPECTION?: boolean;

  /** `Authorization: Bearer <METRICS_TOKEN>` required on /metrics (32+ characters). */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'METRICS_TOKEN must be at least 32 characters (e.g. `openssl rand -hex 32`)' })
  METRICS_TOKEN?: string;

  /** Serve /metrics on this port only (bound to METRICS_HOST), not on PORT. */
  @IsOptional()
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(65535)
  METRICS_PORT?: number;

  @IsString()
  METRICS_HOST = '127.0.0.1';

  /** graphql-ws sockets one process holds at most (503 beyond). */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  WS_MAX_SOCKETS = 10_000;

  /** graphql-ws sockets per client address (429 beyond). */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(100_000)
  WS_MAX_SOCKETS_PER_ADDRESS = 50;

  /** A socket holding no subscription this long is closed. */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(3600)
  WS_IDLE_SECONDS = 30;

  /** Memory for the per-region cache of /r/<region>/list answers, in MiB per process. */
  @Transform(int)
  @IsInt()
  @Min(0)
  @Max(64 * 1024)
  LIST_CACHE_MB = 64;

  /** /list answers built from Postgres at once (other regions wait; the same region shares one build). */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(64)
  LIST_BUILDS_AT_ONCE = 2;

  /** Rate limits (held in Redis across replicas): off only for benchmarks. */
  @Transform(bool)
  @IsBoolean(BOOL_MESSAGE)
  RATE_LIMITS = true;

  /** Requests to /sync, /r/ and /graphql per source address and minute. */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  RATE_ADDRESS_PER_MINUTE = 6000;

  /** Requests with a valid membership token per person (sender) and minute. */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  RATE_SENDER_PER_MINUTE = 1200;

  /** Requests with a valid membership token per region and second, all hub replicas together. */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  RATE_REGION_PER_SECOND = 500;

  /** Uploads to one region's original route (POST /r/<region>/envelope) per source address and minute. */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  RATE_KIKI_WRITES_PER_ADDRESS_PER_MINUTE = 600;

  /**
   * Per-region limits, JSON: {"<region public key>": {"regionPerSecond": n, "senderPerMinute": n,
   * "kikiWritesPerAddressPerMinute": n}} (any subset).
   */
  @IsOptional()
  @IsString()
  RATE_REGION_OVERRIDES?: string;

  /** RATE_REGION_OVERRIDES parsed (loadConfig checks it). */
  get regionRateOverrides(): Record<string, RegionRateOverride> {
    return this.RATE_REGION_OVERRIDES ? (JSON.parse(this.RATE_REGION_OVERRIDES) as Record<string, RegionRateOverride>) : {};
  }

  // --- operations (issue 12) ---

  /**
   * Development only: when DATABASE_URL is unset and nothing answers on 127.0.0.1:5432, start an
   * embedded Postgres (data in ~/.kiki-hub/postgres); when REDIS_URL is unset and nothing answers
   * on 127.0.0.1:6379, run without Redis. `false` refuses both; production always refuses them.
   */
  @Transform(bool)
  @IsBoolean(BOOL_MESSAGE)
  EMBEDDED_SERVICES = true;

  /** On SIGTERM: readiness answers 503 at once, then in-flight work gets this long before the process exits anyway. */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(600)
  SHUTDOWN_TIMEOUT_SECONDS = 25;

  /** On SIGTERM, how long readiness answers 503 before the listener closes (load balancers stop sending). */
  @Transform(int)
  @IsInt()
  @Min(0)
  @Max(60)
  SHUTDOWN_DRAIN_SECONDS = 0;

  /**
   * REDIS_URL names the seed nodes of a Redis Cluster (comma-separated redis:// URLs); then
   * REDIS_PREFIX must be a hash tag like `{kiki}`, so each BullMQ queue's keys share a slot.
   */
  @Transform(bool)
  @IsBoolean(BOOL_MESSAGE)
  REDIS_CLUSTER = false;

  /** `npm run worker` only: serve GET /health on this port (0: no listener). */
  @Transform(int)
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_HEALTH_PORT = 0;
}

export interface RegionRateOverride {
  regionPerSecond?: number;
  senderPerMinute?: number;
  kikiWritesPerAddressPerMinute?: number;
}

/** Problems of RATE_REGION_OVERRIDES, one line each (empty: fine). */
function rateOverrideProblems(raw: string | undefined): string[] {
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return ['RATE_REGION_OVERRIDES must be JSON: {"<region public key>": {"regionPerSecond": 100}}'];
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return ['RATE_REGION_OVERRIDES must be a JSON object keyed by region public key'];
  const problems: string[] = [];
  const allowed = ['regionPerSecond', 'senderPerMinute', 'kikiWritesPerAddressPerMinute'];
  for (const [region, o] of Object.entries(parsed)) {
    if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(region)) problems.push(`RATE_REGION_OVERRIDES: ${region} is not a base58 region public key`);
    if (!o || typeof o !== 'object' || Array.isArray(o)) {
      problems.push(`RATE_REGION_OVERRIDES: the limits of ${region} must be an object`);
      continue;
    }
    for (const [k, v] of Object.entries(o)) {
      if (!allowed.includes(k)) problems.push(`RATE_REGION_OVERRIDES: ${k} is not a limit (use ${allowed.join(', ')})`);
      else if (!Number.isSafeInteger(v) || (v as number) < 1) problems.push(`RATE_REGION_OVERRIDES: ${region}.${k} must be a whole number of at least 1`);
    }
  }
  return problems;
}

/** /docs and introspection: on unless production, where they need an explicit yes. */
export function docsEnabled(c: HubConfig): boolean {
  return c.DOCS_ENABLED ?? c.NODE_ENV !== 'production';
}

export function introspectionEnabled(c: HubConfig): boolean {
  return c.GRAPHQL_INTROSPECTION ?? c.NODE_ENV !== 'production';
}

/** Where /metrics is answered: 'public' (PORT, no token), 'token' (PORT, with METRICS_TOKEN), 'internal' (METRICS_PORT only), 'off'. */
export function metricsExposure(c: HubConfig): 'public' | 'token' | 'internal' | 'off' {
  if (c.METRICS_PORT) return 'internal';
  if (c.METRICS_TOKEN) return 'token';
  return c.NODE_ENV === 'production' ? 'off' : 'public';
}


export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Every environment variable the hub reads: each property of HubConfig that carries a validation
 * decorator (with or without a default), so a variable added to the class is read, never ignored.
 */
export function configVariables(): string[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(HubConfig, '', true, false);
  return [...new Set(metas.map((m) => m.propertyName))];
}

const explicitlySet = new WeakMap<HubConfig, ReadonlySet<string>>();

/** Whether `name` came from the environment (not from its default): embedded mode needs to know. */
export function isSet(config: HubConfig, name: keyof HubConfig): boolean {
  return explicitlySet.get(config)?.has(name) ?? false;
}

/** Parses env once; throws one message per bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): HubConfig {
  const raw: Record<string, string> = {};
  for (const k of configVariables()) if (env[k] !== undefined && env[k] !== '') raw[k] = env[k]!;
  const cfg = plainToInstance(HubConfig, raw, { exposeDefaultValues: true });
  // one line per bad variable: the first complaint about it
  const problems = validateSync(cfg, { whitelist: false }).flatMap((e) => {
    // the type's complaint first ("eighty" is not an integer, rather than "greater than 65535")
    const c = e.constraints ?? {};
    const msg = c.isInt ?? c.isBoolean ?? Object.values(c)[0];
    if (!msg) return [];
    return [msg.startsWith(e.property) ? msg : `${e.property}: ${msg}`];
  });
  if (cfg.NODE_ENV === 'production' && !cfg.HUB_MASTER_KEY) {
    problems.push('HUB_MASTER_KEY is required when NODE_ENV=production (it encrypts region keys at rest)');
  }
  problems.push(...rateOverrideProblems(cfg.RATE_REGION_OVERRIDES));
  if (cfg.REDIS_CLUSTER && !/^\{[^{}]+\}/.test(cfg.REDIS_PREFIX)) {
    problems.push('REDIS_PREFIX must start with a hash tag like {kiki} when REDIS_CLUSTER=true (BullMQ keeps a queue in one slot)');
  }
  if (cfg.NODE_ENV === 'production' && cfg.REDIS_URL === 'none') {
    problems.push('REDIS_URL=none (no Redis) is for development only; set REDIS_URL to a Redis when NODE_ENV=production');
  }
  if (problems.length) throw new ConfigError(problems);
  explicitlySet.set(cfg, new Set(Object.keys(raw)));
  return cfg;
}

import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

const bool = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : ['1', 'true', 'yes', 'on'].includes(String(value).toLowerCase());
const int = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/** Every setting comes from an environment variable, parsed and checked once at start-up. */
export class HubConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/kiki_hub';

  @IsString()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of every Redis key and BullMQ queue this hub uses. */
  @IsString()
  @Matches(/^[A-Za-z0-9:_-]{1,64}$/, { message: 'REDIS_PREFIX may hold letters, digits, ":", "_" and "-" (1-64)' })
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
  @IsBoolean()
  MIGRATE_ON_START = true;

  /** Create the database named in DATABASE_URL when it is missing (zero-config start). */
  @Transform(bool)
  @IsBoolean()
  CREATE_DATABASE = true;

  /** Import kiki's default region on start, so an original kiki syncs with no set-up. */
  @Transform(bool)
  @IsBoolean()
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
  @IsBoolean()
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
  @IsBoolean()
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
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses env once; throws one message per bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): HubConfig {
  const known = Object.keys(new HubConfig());
  const raw: Record<string, string> = {};
  for (const k of [...known, 'HUB_MASTER_KEY', 'HUB_MASTER_KEY_FILE', 'ADMIN_TOKEN']) if (env[k] !== undefined && env[k] !== '') raw[k] = env[k]!;
  const cfg = plainToInstance(HubConfig, raw, { exposeDefaultValues: true });
  const problems = validateSync(cfg, { whitelist: false }).flatMap((e) =>
    Object.values(e.constraints ?? {}).map((msg) => (msg.startsWith(e.property) ? msg : `${e.property}: ${msg}`)),
  );
  if (cfg.NODE_ENV === 'production' && !cfg.HUB_MASTER_KEY) {
    problems.push('HUB_MASTER_KEY is required when NODE_ENV=production (it encrypts region keys at rest)');
  }
  if (problems.length) throw new ConfigError(problems);
  return cfg;
}

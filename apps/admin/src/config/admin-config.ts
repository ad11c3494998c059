import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

const bool = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : ['1', 'true', 'yes', 'on'].includes(String(value).toLowerCase());
const int = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/** Every setting of the admin app comes from an environment variable, parsed and checked once at start-up. */
export class AdminConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(int)
  @IsInt()
  @Min(0)
  @Max(65535)
  ADMIN_PORT = 8081;

  @IsString()
  ADMIN_HOST = '0.0.0.0';

  /** The hub whose GraphQL API the dashboard reads and acts through. */
  @IsString()
  @Matches(/^https?:\/\/[^/]+\/?$/, { message: 'HUB_URL must be an http(s):// origin such as http://127.0.0.1:8080' })
  HUB_URL = 'http://127.0.0.1:8080';

  /**
   * The origin browsers use to reach the dashboard (e.g. https://admin.example.org): state-changing
   * requests and WebSockets from any other Origin are refused. Unset: the request's own Host.
   */
  @IsOptional()
  @IsString()
  @Matches(/^https?:\/\/[^/]+$/, { message: 'ADMIN_PUBLIC_ORIGIN must be an origin such as https://admin.example.org (no path)' })
  ADMIN_PUBLIC_ORIGIN?: string;

  /** Mark the session cookie Secure. Unset: on when ADMIN_PUBLIC_ORIGIN is https://. */
  @IsOptional()
  @Transform(bool)
  @IsBoolean()
  ADMIN_COOKIE_SECURE?: boolean;

  /** Trust X-Forwarded-For/-Proto from this many proxies in front of the admin app (0: none). */
  @Transform(int)
  @IsInt()
  @Min(0)
  @Max(10)
  ADMIN_TRUST_PROXY_HOPS = 0;

  /** Redis of the hub's queues (bull-board). */
  @IsString()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** The hub's REDIS_PREFIX (its BullMQ queues live under it). */
  @IsString()
  @Matches(/^[A-Za-z0-9:_-]{1,64}$/, { message: 'REDIS_PREFIX may hold letters, digits, ":", "_" and "-" (1-64)' })
  REDIS_PREFIX = 'kiki';

  /** The hub's BullMQ queues shown at /queues (comma-separated names). */
  @IsString()
  @Matches(/^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$/, { message: 'ADMIN_QUEUES is a comma-separated list of queue names' })
  ADMIN_QUEUES = 'quota';

  /** Sessions at once; the oldest idle one is dropped past it (memory bound). */
  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  ADMIN_MAX_SESSIONS = 10_000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  get cookieSecure(): boolean {
    return this.ADMIN_COOKIE_SECURE ?? this.ADMIN_PUBLIC_ORIGIN?.startsWith('https://') ?? false;
  }

  get queueNames(): string[] {
    return this.ADMIN_QUEUES.split(',');
  }

  get hubUrl(): string {
    return this.HUB_URL.replace(/\/$/, '');
  }
}

export class AdminConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const KNOWN = [...Object.keys(new AdminConfig()), 'ADMIN_PUBLIC_ORIGIN', 'ADMIN_COOKIE_SECURE'];

/** Parses env once; throws one message per bad variable. */
export function loadAdminConfig(env: Record<string, string | undefined> = process.env): AdminConfig {
  const raw: Record<string, string> = {};
  for (const k of KNOWN) if (env[k] !== undefined && env[k] !== '') raw[k] = env[k]!;
  const cfg = plainToInstance(AdminConfig, raw, { exposeDefaultValues: true });
  const problems = validateSync(cfg, { whitelist: false }).flatMap((e) =>
    Object.values(e.constraints ?? {}).map((msg) => (msg.startsWith(e.property) ? msg : `${e.property}: ${msg}`)),
  );
  if (problems.length) throw new AdminConfigError(problems);
  return cfg;
}

import type { LoggerService } from '@nestjs/common';
import pino from 'pino';

/** JSON lines on stdout for the admin app (Nest's logger interface over pino). */
export function adminLogger(level: string): LoggerService {
  const log = pino({ level, base: { service: 'kiki-admin' }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } });
  const write = (lvl: pino.Level) => (message: unknown, context?: string) =>
    typeof message === 'object' && message !== null ? log[lvl]({ context, ...(message as object) }) : log[lvl]({ context }, String(message));
  return { log: write('info'), error: write('error'), warn: write('warn'), debug: write('debug'), verbose: write('trace'), fatal: write('fatal') };
}

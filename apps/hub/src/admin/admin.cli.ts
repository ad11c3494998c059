import { userInfo } from 'node:os';
import type { INestApplicationContext } from '@nestjs/common';
import type { AdminRole } from '@kiki/storage';
import { HubError } from '../common/errors';
import { AdminAccountService } from './admin-account.service';

export const ADMIN_USAGE = `  admin create <username> --role hub|region [--region <key>]...
                                            an admin account; prints a generated password once
                                            (or --password-stdin reads it from standard input)
  admin grant <username> <region key>       let a region admin see and change a region
  admin revoke <username> <region key>      take a region away from a region admin
  admin list                                accounts, roles and regions
  admin reset-password <username>           a new password (printed once, or --password-stdin);
                                            ends the account's sessions`;

export interface AdminCliOptions {
  role?: string;
  region?: string[];
  json: boolean;
  passwordStdin: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  // one line: the trailing newline of `echo` is not part of the password
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

const ROLES: Record<string, AdminRole> = { hub: 'hub', region: 'region' };

/** `npm run hub -- admin ...`: accounts of the admin dashboard / GraphQL admin API. Returns the exit code. */
export async function adminCommand(app: INestApplicationContext, positionals: string[], opts: AdminCliOptions): Promise<number> {
  const accounts = app.get(AdminAccountService);
  const [verb, username, region] = positionals;
  const actor = `cli:${safeUser()}`;
  const out = (s: string) => process.stdout.write(s + '\n');
  const password = async () => (opts.passwordStdin ? readStdin() : undefined);
  const printPassword = (p: { password: string; generated: boolean }, what: string) => {
    if (!p.generated) return out(`${what}`);
    if (opts.json) return out(JSON.stringify({ username, password: p.password }));
    out(`${what}\npassword: ${p.password}\n(shown once: the hub keeps only its scrypt hash)`);
  };
  switch (verb) {
    case 'create': {
      if (!username) throw new HubError('BAD_REQUEST', 'admin create needs a username');
      const role = ROLES[opts.role ?? ''];
      if (!role) throw new HubError('BAD_REQUEST', 'admin create needs --role hub or --role region', 'role');
      const p = await accounts.create(actor, username, role, opts.region ?? [], await password());
      printPassword(p, `created ${role} admin ${username}`);
      return 0;
    }
    case 'grant':
    case 'revoke': {
      if (!username || !region) throw new HubError('BAD_REQUEST', `admin ${verb} needs a username and a region public key`);
      if (verb === 'grant') await accounts.grant(actor, username, region);
      else await accounts.revoke(actor, username, region);
      out(`${verb === 'grant' ? 'granted' : 'revoked'} region ${region} ${verb === 'grant' ? 'to' : 'from'} ${username}`);
      return 0;
    }
    case 'list': {
      const list = await accounts.list();
      if (opts.json) out(JSON.stringify(list.map((a) => ({ username: a.username, role: a.role, regions: a.regions, createdAt: a.createdAt })), null, 2));
      else for (const a of list) out(`${a.username}  ${a.role}${a.regions.length ? `  ${a.regions.join(',')}` : ''}`);
      return 0;
    }
    case 'reset-password': {
      if (!username) throw new HubError('BAD_REQUEST', 'admin reset-password needs a username');
      printPassword(await accounts.resetPassword(actor, username, await password()), `new password set for ${username}; their sessions are ended`);
      return 0;
    }
    default:
      return -1;
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

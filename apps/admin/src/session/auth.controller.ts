import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { Request, Response } from 'express';
import { AdminConfig } from '../config/admin-config';
import { HubCallError, HubClient } from '../hub/hub.client';
import { clearedCookie, cookieName, sessionCookie } from './cookies';
import { SessionStore } from './session.store';

export class LoginDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  username: string;

  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password: string;
}

const publicView = (s: { admin: { username: string; role: string; regions: string[] }; expiresAt: number; absoluteExpiresAt: number }) => ({
  username: s.admin.username,
  role: s.admin.role,
  regions: s.admin.regions,
  expiresAt: new Date(s.expiresAt).toISOString(),
  absoluteExpiresAt: new Date(s.absoluteExpiresAt).toISOString(),
});

/** Sign-in and sign-out: the hub checks the password and issues the token; the browser gets a cookie. */
@Controller('api')
export class AuthController {
  constructor(
    @Inject(AdminConfig) private readonly config: AdminConfig,
    @Inject(HubClient) private readonly hub: HubClient,
    @Inject(SessionStore) private readonly sessions: SessionStore,
  ) {}

  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    try {
      const login = await this.hub.login(body.username, body.password, req.ip ?? req.socket.remoteAddress ?? '');
      if (req.adminSid) await this.sessions.destroy(req.adminSid);
      const { sid, session } = this.sessions.create(login);
      res.setHeader('Set-Cookie', sessionCookie(cookieName(this.config.cookieSecure), sid, this.config.cookieSecure));
      return publicView(session);
    } catch (err) {
      if (!(err instanceof HubCallError)) throw err;
      // the hub's one 429 code: its login throttle and its per-address limit on /graphql alike
      if (err.code === 'RATE_LIMITED') {
        const wait = Math.max(1, Math.ceil(err.retryAfter ?? 60));
        res.status(429).setHeader('Retry-After', String(wait));
        return { error: 'RATE_LIMITED', message: `too many sign-in attempts: try again in ${wait} s`, retryAfter: wait };
      }
      if (err.code === 'UNAUTHENTICATED' || err.code === 'BAD_USER_INPUT') {
        res.status(401);
        return { error: 'UNAUTHENTICATED', message: 'wrong username or password' };
      }
      res.status(502);
      return { error: 'HUB_UNAVAILABLE', message: `the hub did not answer the sign-in: ${err.message}` };
    }
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    if (req.adminSid) await this.sessions.destroy(req.adminSid);
    res.setHeader('Set-Cookie', clearedCookie(cookieName(this.config.cookieSecure), this.config.cookieSecure));
  }

  /** Who is signed in (the session gate already refused requests without a session). */
  @Get('me')
  me(@Req() req: Request) {
    return publicView(req.adminSession!);
  }
}

@Controller()
export class HealthController {
  @Get('health')
  health() {
    return { status: 'ok' };
  }
}

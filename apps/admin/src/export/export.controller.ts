import { BadRequestException, Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { Request, Response } from 'express';
import { AdminConfig } from '../config/admin-config';
import { csvLine } from './csv';

export class PeopleExportQuery {
  @IsString()
  @Matches(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, { message: 'region must be a base58 public key' })
  region: string;

  @IsOptional()
  @IsIn(['PUBLIC_KEY', 'USAGE_DESC', 'ENVELOPES_DESC', 'PRESSURE_DESC'])
  orderBy?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;
}

const PAGE = `query ExportPeople($region: String!, $orderBy: PersonOrder!, $search: String, $after: String) {
  persons(region: $region, orderBy: $orderBy, search: $search, first: 100, after: $after) {
    nodes { publicKey name tier usage limit override pressure envelopeCount ingestBytesLastHour projectedFullAt }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface PersonRow {
  publicKey: string;
  name: string | null;
  tier: string;
  usage: number;
  limit: number | null;
  override: number | null;
  pressure: number | null;
  envelopeCount: number;
  ingestBytesLastHour: number;
  projectedFullAt: string | null;
}

/**
 * CSV of a region's people, every page, read through the hub's API with the admin's own token
 * (so the hub's scope check applies: another region answers FORBIDDEN before any line is sent).
 * Metadata only, as the dashboard shows it.
 */
@Controller('api/export')
export class ExportController {
  constructor(@Inject(AdminConfig) private readonly config: AdminConfig) {}

  @Get('people.csv')
  async people(@Query() q: PeopleExportQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    const token = req.adminSession!.hubToken;
    const vars = { region: q.region, orderBy: q.orderBy ?? 'USAGE_DESC', search: q.search || null, after: null as string | null };
    let first = true;
    for (;;) {
      const upstream = await fetch(`${this.config.hubUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: PAGE, variables: vars }),
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await upstream.json().catch(() => null)) as {
        data?: { persons: { nodes: PersonRow[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | null };
        errors?: { message: string; extensions?: { code?: string } }[];
      } | null;
      const err = body?.errors?.[0];
      if (err || !body?.data?.persons) {
        if (!first) {
          res.destroy(); // fail the download rather than hand over a silently truncated file
          return;
        }
        const code = err?.extensions?.code ?? 'UNAVAILABLE';
        const status = code === 'FORBIDDEN' ? 403 : code === 'UNAUTHENTICATED' ? 401 : code === 'BAD_USER_INPUT' ? 400 : code === 'NOT_FOUND' ? 404 : 502;
        if (status === 400) throw new BadRequestException(err?.message);
        res.status(status).json({ error: code, message: err?.message ?? 'the hub did not answer' });
        return;
      }
      if (first) {
        res.status(200);
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="people-${q.region.slice(0, 8)}.csv"`);
        res.setHeader('Cache-Control', 'no-store');
        res.write(csvLine(['public_key', 'name', 'tier', 'usage_bytes', 'limit_bytes', 'override_bytes', 'pressure', 'envelopes', 'ingest_bytes_last_hour', 'projected_full_at']));
        first = false;
      }
      const { nodes, pageInfo } = body.data.persons;
      res.write(nodes.map((p) => csvLine([p.publicKey, p.name, p.tier, p.usage, p.limit, p.override, p.pressure, p.envelopeCount, p.ingestBytesLastHour, p.projectedFullAt])).join(''));
      if (!pageInfo.hasNextPage || !pageInfo.endCursor) break;
      vars.after = pageInfo.endCursor;
    }
    res.end();
  }
}

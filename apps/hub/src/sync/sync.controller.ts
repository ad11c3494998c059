import { Body, Controller, Get, HttpCode, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ReadBody } from '../common/body';
import { ReconcileService } from './reconcile.service';
import { SyncAuthGuard, type SyncRequest } from './sync-auth.guard';
import { FetchDto, FetchResponseDto, PullQueryDto, PullResponseDto, PushDto, PushResponseDto, pushedEnvelopes } from './sync.dto';
import { SyncService } from './sync.service';

@ApiTags('sync')
@ApiBearerAuth('kiki-token')
@ApiParam({ name: 'region', description: 'the region public key (base58)' })
@UseGuards(SyncAuthGuard)
@Controller('sync/:region')
export class SyncController {
  constructor(
    private readonly sync: SyncService,
    private readonly reconciler: ReconcileService,
  ) {}

  @Post('push')
  @ReadBody('sync-push')
  @HttpCode(200)
  @ApiOperation({ summary: 'Store a batch of envelopes; one result per item (stored, duplicate, rejected with a code)' })
  @ApiOkResponse({ type: PushResponseDto })
  @ApiBody({ type: PushDto })
  push(@Req() req: SyncRequest): Promise<PushResponseDto> {
    // The body is read raw, not through the global ValidationPipe: class-transformer would deep-copy
    // every envelope (~5% of ingest CPU), and each one is parsed strictly by parseEnvelope anyway.
    return this.sync.push(req.kiki.region, pushedEnvelopes(req.body));
  }

  @Post('reconcile')
  @ReadBody('sync-reconcile')
  @HttpCode(200)
  @ApiOperation({ summary: 'One round of negentropy V1 range reconciliation over (timestamp, id)' })
  @ApiConsumes('application/octet-stream')
  @ApiProduces('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  async reconcile(@Req() req: SyncRequest, @Res() res: Response): Promise<void> {
    const out = await this.reconciler.reconcile(req.kiki.region, req.body as Buffer);
    res.status(200).type('application/octet-stream').send(out);
  }

  @Get('pull')
  @ApiOperation({ summary: 'Everything new since a cursor, in commit order; resumable' })
  @ApiOkResponse({ type: PullResponseDto })
  pull(@Req() req: SyncRequest, @Query() q: PullQueryDto): Promise<PullResponseDto> {
    return this.sync.pull(req.kiki.region, q.after ?? 0, q.limit ?? 500);
  }

  @Post('fetch')
  @ReadBody('sync-fetch')
  @HttpCode(200)
  @ApiOperation({ summary: 'Envelopes by id (after reconciliation said the client needs them)' })
  @ApiOkResponse({ type: FetchResponseDto })
  fetch(@Req() req: SyncRequest, @Body() body: FetchDto): Promise<FetchResponseDto> {
    return this.sync.fetch(req.kiki.region, body.ids);
  }
}

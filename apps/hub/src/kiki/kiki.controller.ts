import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ReadBody } from '../common/body';
import { PublicRoute } from '../common/public-route';
import { KikiWriteLimitGuard } from '../common/rate-limits';
import type { Response } from 'express';
import { KikiMemberGuard } from './kiki-member.guard';
import { KikiService } from './kiki.service';
import { streamListAnswer } from './list-cache';

/** Only for a region with kiki_routes_require_token (docs/quotas.md); the original sends none. */
const MemberToken = () =>
  ApiHeader({
    name: 'authorization',
    required: false,
    description: 'Kiki <one-time sync token>, needed only when the region requires membership tokens on /r/ (without a valid one the answer is that of an unknown region)',
  });

@ApiTags('kiki v1 (original routes)')
@ApiParam({ name: 'region', description: 'the region public key (base58)' })
@Controller('r/:region')
export class KikiController {
  constructor(private readonly kiki: KikiService) {}

  @Get('ping')
  @PublicRoute('the original kiki protocol: anyone may ask whether a region is served')
  @ApiOperation({ summary: 'Liveness, as an original instance answers it' })
  ping(@Param('region') region: string) {
    return this.kiki.ping(region);
  }

  @Get('list')
  @PublicRoute('the original kiki protocol: the caller shows the region signature of its user_pub, checked in KikiService.list; a region may require membership tokens here (KikiMemberGuard)')
  @UseGuards(KikiMemberGuard)
  @MemberToken()
  @ApiOperation({ summary: "Every id the hub can serve for download, with the hub's identity and signature" })
  async list(@Param('region') region: string, @Query('user_pub') userPub: unknown, @Query('signature') signature: unknown, @Res() res: Response) {
    await streamListAnswer(res, await this.kiki.list(region, userPub, signature));
  }

  @Get('download/:id')
  @PublicRoute('the original kiki protocol: envelopes are sealed end to end; ids come from a signed /list; a region may require membership tokens here (KikiMemberGuard)')
  @UseGuards(KikiMemberGuard)
  @MemberToken()
  @ApiOperation({ summary: 'One envelope, closed' })
  download(@Param('region') region: string, @Param('id') id: string) {
    return this.kiki.download(region, id);
  }

  @Post('envelope')
  @PublicRoute('the original kiki protocol: each envelope is signed by its sender (checked on ingest); writes are rate-limited; a region may require membership tokens here (KikiMemberGuard)')
  @UseGuards(KikiWriteLimitGuard, KikiMemberGuard)
  @MemberToken()
  @ReadBody('kiki-envelope')
  @HttpCode(200)
  @ApiOperation({ summary: 'Upload one envelope; duplicates and removed ids answer ok without storing' })
  envelope(@Param('region') region: string, @Body() body: unknown) {
    return this.kiki.upload(region, body);
  }
}

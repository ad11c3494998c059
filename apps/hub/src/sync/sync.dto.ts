import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { HubError } from '../common/errors';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsBase58Key } from '../common/validators';

export const MAX_FETCH_IDS = 1000;
export const MAX_PULL_LIMIT = 1000;

export class EnvelopeDto {
  @ApiProperty({ description: 'base58 SHA-256 id chosen by the sender' }) id: string;
  @ApiProperty({ example: '2026-11-24T15:58:05.536438035Z' }) timestamp: string;
  @ApiProperty({ example: { public: 'HvwuZySY5wDk7CPPkGakviwTTxcUDqM2yDA4rYUdmzYb' } }) sender: { public: string };
  @ApiProperty() signature: string;
  @ApiProperty({ type: [String] }) sealed_recipients: string[];
  @ApiProperty({ description: 'standard base64' }) sealed_letter: string;
}

export class PushDto {
  @ApiProperty({ type: [EnvelopeDto], description: 'each item is parsed strictly on its own; bad items are rejected one by one' })
  @IsArray({ message: 'envelopes must be an array of envelopes' })
  envelopes: unknown[];
}

/** The push body's one rule besides each envelope's own parse: {"envelopes": [...]} and nothing else. */
export function pushedEnvelopes(body: unknown): unknown[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !Array.isArray((body as PushDto).envelopes)) {
    throw new HubError('BAD_REQUEST', 'envelopes must be an array of envelopes: send {"envelopes": [...]}', 'envelopes');
  }
  const extra = Object.keys(body).filter((k) => k !== 'envelopes');
  if (extra.length) throw new HubError('BAD_REQUEST', `property ${extra[0]} should not exist`, extra[0]);
  return (body as PushDto).envelopes;
}

export class PushResultDto {
  @ApiProperty() index: number;
  @ApiPropertyOptional() id?: string;
  @ApiProperty({ enum: ['stored', 'duplicate', 'rejected'] }) status: string;
  @ApiPropertyOptional({ description: 'stable error code when rejected' }) code?: string;
  @ApiPropertyOptional() reason?: string;
  @ApiPropertyOptional() field?: string;
  @ApiPropertyOptional({ enum: ['quota', 'erase', 'admin'], description: 'with code TOMBSTONED: why the hub removed it' })
  removedReason?: string;
}

export class PushResponseDto {
  @ApiProperty({ type: [PushResultDto] }) results: PushResultDto[];
  @ApiProperty() stored: number;
  @ApiProperty() duplicate: number;
  @ApiProperty() rejected: number;
}

export class FetchDto {
  @ApiProperty({ type: [String], maxItems: MAX_FETCH_IDS })
  @IsArray({ message: 'ids must be an array of base58 ids' })
  @ArrayMaxSize(MAX_FETCH_IDS, { message: `ask for at most ${MAX_FETCH_IDS} ids at a time` })
  @IsBase58Key('id', { each: true })
  ids: string[];
}

export class PullQueryDto {
  @ApiPropertyOptional({ description: 'the cursor returned by the previous pull; 0 or absent to start', example: '0' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'after must be a whole number (a cursor from a previous pull)' })
  @Min(0)
  // larger cursors do not exist (and past 2^53 the number is no longer exact)
  @Max(Number.MAX_SAFE_INTEGER, { message: 'after is larger than any cursor: send the cursor of a previous pull' })
  after?: number;

  @ApiPropertyOptional({ default: 500, maximum: MAX_PULL_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(MAX_PULL_LIMIT, { message: `limit may be at most ${MAX_PULL_LIMIT}` })
  limit?: number;
}

export class RemovedDto {
  @ApiProperty() id: string;
  @ApiProperty({ description: "the envelope's own timestamp, so a device can place the tombstone in its reconciled set" })
  timestamp: string;
  @ApiProperty({ enum: ['quota', 'erase', 'admin'] }) reason: string;
}

export class PullResponseDto {
  @ApiProperty({ type: [EnvelopeDto] }) envelopes: EnvelopeDto[];
  @ApiProperty({ type: [RemovedDto], description: 'ids the hub holds only as tombstones' }) removed: RemovedDto[];
  @ApiProperty({ description: 'pass as `after` next time' }) cursor: string;
  @ApiProperty({ description: 'true when more is waiting right now' }) more: boolean;
  @ApiProperty({ description: "the region's newest cursor at the time of this answer" }) head: string;
}

export class FetchResponseDto {
  @ApiProperty({ type: [EnvelopeDto] }) envelopes: EnvelopeDto[];
  @ApiProperty({ type: [RemovedDto] }) removed: RemovedDto[];
  @ApiProperty({ type: [String] }) missing: string[];
}

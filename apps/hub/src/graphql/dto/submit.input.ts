import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, IsArray } from 'class-validator';
import { MAX_SUBMIT_ENVELOPES } from './limits';
import { RegionArgs } from './region.args';

@InputType({ description: 'A sealed envelope, field for field the kiki wire JSON (camelCase; `sender` is `sender.public`).' })
export class EnvelopeInput {
  @Field(() => ID) id: string;
  @Field({ description: 'RFC 3339, e.g. 2026-11-24T15:58:05.536438035Z' }) timestamp: string;
  @Field({ description: 'the sender\'s base58 public key' }) sender: string;
  @Field() signature: string;
  @Field(() => [String]) sealedRecipients: string[];
  @Field({ description: 'standard base64' }) sealedLetter: string;
  @Field(() => String, { nullable: true, description: "envelope v2: the sender's signature (wire `signature_v2`), checked when present" })
  signatureV2?: string | null;
}

@ArgsType()
export class SubmitEnvelopesArgs extends RegionArgs {
  @Field(() => [EnvelopeInput], { description: `1 to ${MAX_SUBMIT_ENVELOPES} envelopes; each is checked on its own` })
  @IsArray()
  @ArrayMinSize(1, { message: 'envelopes is empty: send 1 or more' })
  @ArrayMaxSize(MAX_SUBMIT_ENVELOPES, { message: `send at most ${MAX_SUBMIT_ENVELOPES} envelopes per submitEnvelopes; split larger batches` })
  envelopes: EnvelopeInput[];
}

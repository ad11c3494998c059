import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum SubmitStatus {
  STORED = 'stored',
  DUPLICATE = 'duplicate',
  REJECTED = 'rejected',
}
registerEnumType(SubmitStatus, {
  name: 'SubmitStatus',
  description: 'What happened to one submitted envelope',
  valuesMap: {
    STORED: { description: 'stored now' },
    DUPLICATE: { description: 'the hub already holds it (or it came twice in this batch): nothing to do' },
    REJECTED: { description: 'refused; `code` says why. Do not resend it unchanged' },
  },
});

@ObjectType({ description: 'The outcome of one item of `submitEnvelopes`, in the order sent.' })
export class SubmitResult {
  @Field(() => Int, { description: 'position in the submitted list' }) index: number;
  @Field(() => String, { nullable: true, description: 'the envelope id, when the item had a readable one' }) id?: string;
  @Field(() => SubmitStatus) status: SubmitStatus;
  @Field(() => String, {
    nullable: true,
    description:
      'stable code when rejected, the same as POST /sync/:region/push: INVALID_ENVELOPE, TOO_LARGE, BAD_SIGNATURE, REGION_AS_SENDER, ID_MISMATCH, FUTURE_TIMESTAMP, TOMBSTONED (and the quota codes)',
  })
  code?: string;
  @Field(() => String, { nullable: true, description: 'what was wrong, for people' }) reason?: string;
  @Field(() => String, { nullable: true, description: 'the input field at fault, e.g. `envelopes[3].sealedLetter`' }) field?: string;
}

@ObjectType()
export class SubmitEnvelopesPayload {
  @Field(() => [SubmitResult]) results: SubmitResult[];
  @Field(() => Int) stored: number;
  @Field(() => Int) duplicate: number;
  @Field(() => Int) rejected: number;
}

import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { Person } from './person.model';

@ObjectType({
  description:
    'A sealed kiki envelope as the hub stores it. The wire fields are exactly what the sender sealed: rebuild the wire JSON ' +
    '{id, timestamp, sender: {public}, signature, sealed_recipients, sealed_letter, signature_v2?} to open it with libs/crypto.',
})
export class Envelope {
  @Field(() => ID, { description: 'kiki id: base58 SHA-256 chosen by the sender; unique within the region' })
  id: string;

  @Field({ description: 'the sender\'s own timestamp, RFC 3339 text exactly as sealed (not the hub\'s receive time)' })
  timestamp: string;

  @Field(() => Person, { description: 'the sender; `sender { publicKey }` is the wire `sender.public`' })
  sender: Person;

  @Field({ description: 'kiki v1 region signature (base58)' })
  signature: string;

  @Field(() => String, {
    nullable: true,
    description: "envelope v2: the sender's XEdDSA signature of every field (base58, wire `signature_v2`; docs/envelope-v2.md); null for a v1 envelope",
  })
  signatureV2: string | null;

  @Field(() => [String], { description: 'one base58 key box per recipient, the sender first' })
  sealedRecipients: string[];

  @Field({ description: 'the sealed letter, standard base64' })
  sealedLetter: string;

  @Field(() => Int, { description: 'kiki size: length of sealedLetter as base64 text (what quotas count)' })
  size: number;

  @Field(() => Float, { description: 'position in the region\'s commit order (a whole number; grows with every stored envelope)' })
  sequence: number;

  @Field({ description: 'opaque cursor of this envelope: pass it as `after` to `envelopes` to continue right after it' })
  cursor: string;

  @Field(() => GraphQLISODateTime, { description: 'when this hub stored it' })
  receivedAt: Date;

  @Field(() => String, { nullable: true, description: 'letter purpose, known only for public letters (sealed to the region key); null otherwise' })
  purpose: string | null;

  @Field(() => String, { nullable: true, description: 'first version\'s id (edits share it), known only for public letters' })
  firstId: string | null;

  @Field(() => String, { nullable: true, description: 'id of the post this replies to, known only for public letters' })
  replyTo: string | null;
}

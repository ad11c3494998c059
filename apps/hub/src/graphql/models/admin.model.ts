import { Field, ObjectType } from '@nestjs/graphql';
import { Region } from './region.model';

@ObjectType({ description: 'A region keypair. The private half is the membership secret: give it only to members.' })
export class RegionKeyPair {
  @Field() public: string;
  @Field() private: string;
}

@ObjectType()
export class CreateRegionPayload {
  @Field(() => Region) region: Region;
  @Field(() => RegionKeyPair, { description: 'what members need to join (kiki: the region keypair)' }) memberKeys: RegionKeyPair;
}

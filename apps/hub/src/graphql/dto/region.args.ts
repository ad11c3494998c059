import { ArgsType, Field } from '@nestjs/graphql';
import { IsRegionKey } from '../../common/validators';

@ArgsType()
export class RegionArgs {
  @Field({ description: 'the region public key (base58); your Authorization token must be made for this region' })
  @IsRegionKey()
  region: string;
}

@ArgsType()
export class RegionByKeyArgs {
  @Field({ description: 'the region public key (base58)' })
  @IsRegionKey()
  publicKey: string;
}

import { ArgsType, Field } from '@nestjs/graphql';
import { IsString } from 'class-validator';

@ArgsType()
export class RegionArgs {
  @Field({ description: 'the region public key (base58); your Authorization token must be made for this region' })
  @IsString()
  region: string;
}

@ArgsType()
export class RegionByKeyArgs {
  @Field({ description: 'the region public key (base58)' })
  @IsString()
  publicKey: string;
}

import { ArgsType, Field } from '@nestjs/graphql';
import { IsString, Length } from 'class-validator';
import { IsBase58Key, IsRegionKey } from '../../common/validators';

@ArgsType()
export class CreateRegionArgs {
  @Field({ description: '1 to 200 characters' })
  @IsString()
  @Length(1, 200, { message: 'name must be 1 to 200 characters' })
  name: string;
}

@ArgsType()
export class ImportRegionArgs extends CreateRegionArgs {
  @Field({ description: 'the region public key (base58)' })
  @IsRegionKey()
  publicKey: string;

  @Field({ description: 'the region private key (base58); stored encrypted with HUB_MASTER_KEY' })
  @IsBase58Key('private')
  privateKey: string;
}

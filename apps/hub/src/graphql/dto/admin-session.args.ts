import { ArgsType, Field } from '@nestjs/graphql';
import { IsString, Length } from 'class-validator';

@ArgsType()
export class AdminLoginArgs {
  @Field({ description: 'the account\'s username' })
  @IsString()
  @Length(1, 200, { message: 'username must be 1 to 200 characters' })
  username: string;

  @Field({ description: 'the account\'s password' })
  @IsString()
  @Length(1, 1024, { message: 'password must be 1 to 1024 characters' })
  password: string;
}

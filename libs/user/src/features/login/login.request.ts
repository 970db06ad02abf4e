import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** The body of POST /api/auth/login, and the input of the login mutation. */
@InputType('LoginInput')
export class LoginRequest {
  @ApiProperty({ example: 'admin@agora.local' })
  @Field()
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  email!: string;

  @ApiProperty({ format: 'password', example: 'agora-admin' })
  @Field()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password!: string;
}

@ObjectType('AccessToken')
export class LoginResponse {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <accessToken>`.' })
  @Field()
  accessToken!: string;

  @ApiProperty({ example: 'Bearer' })
  @Field()
  tokenType!: 'Bearer';

  @ApiProperty({ description: 'Seconds until it expires.', example: 3600 })
  @Field(() => Int)
  expiresIn!: number;
}

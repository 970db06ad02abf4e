import { Field, InputType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../domain/password-policy.js';

/** The body of POST /api/users, and the input of the register mutation. */
@InputType('RegisterInput')
export class RegisterUserRequest {
  @ApiProperty({ description: 'Unique in any letter case; kept lower-cased.', format: 'email', example: 'ada@example.com', maxLength: 254 })
  @Field()
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254, { message: 'email must be at most 254 characters' })
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace', minLength: 1, maxLength: 100 })
  @Field()
  @IsString({ message: 'name must be a string' })
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name!: string;

  @ApiProperty({ format: 'password', writeOnly: true, minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH, example: 'correct horse battery staple' })
  @Field()
  @IsString({ message: 'password must be a string' })
  @Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, { message: `password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters` })
  password!: string;
}

export class RegisterUserResponse {
  @ApiProperty({ format: 'uuid', example: '3f2b8c1e-6a4d-4f1e-9c2b-7d5e8a1f0b3c' })
  userId!: string;
}

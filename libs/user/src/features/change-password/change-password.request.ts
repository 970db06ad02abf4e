import { Field, InputType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, MaxLength, MinLength } from 'class-validator';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../domain/password-policy.js';

const NEW_PASSWORD_RULE = `newPassword must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`;

/** The body of PUT /api/users/me/password, and the input of the changePassword mutation. */
@InputType('ChangePasswordInput')
export class ChangePasswordRequest {
  @ApiProperty({ format: 'password', writeOnly: true, maxLength: MAX_PASSWORD_LENGTH, example: 'correct horse battery staple' })
  @Field()
  @IsString({ message: 'currentPassword must be a string' })
  @MinLength(1, { message: 'currentPassword must not be empty' })
  @MaxLength(MAX_PASSWORD_LENGTH, { message: `currentPassword must be at most ${MAX_PASSWORD_LENGTH} characters` })
  currentPassword!: string;

  @ApiProperty({ format: 'password', writeOnly: true, minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH, example: 'a new and longer passphrase' })
  @Field()
  @IsString({ message: 'newPassword must be a string' })
  @Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, { message: NEW_PASSWORD_RULE })
  newPassword!: string;
}

/** The body of PUT /api/users/{id}/password, and the input of the resetPassword mutation. */
@InputType('ResetPasswordInput')
export class ResetPasswordRequest {
  @ApiProperty({ format: 'password', writeOnly: true, minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH, example: 'a new and longer passphrase' })
  @Field()
  @IsString({ message: 'newPassword must be a string' })
  @Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, { message: NEW_PASSWORD_RULE })
  newPassword!: string;
}

/**
 * The user context's domain errors: a command the current state or its input does not
 * allow. Nothing is written when one is thrown; the HTTP layer maps them to 4xx
 * (user-error.filter.ts).
 */
export abstract class UserError extends Error {}

/** A field that breaks one of its rules; the message names both. */
export class InvalidUserField extends UserError {
  override readonly name = 'InvalidUserField';
  constructor(
    readonly field: 'email' | 'name' | 'role' | 'password' | 'passwordHash',
    readonly rule: string,
  ) {
    super(`${field} ${rule}`);
  }
}

/** Another user has the email address, in whatever letter case. */
export class EmailTaken extends UserError {
  override readonly name = 'EmailTaken';
  constructor(readonly email: string) {
    super(`The email address ${email} is already registered.`);
  }
}

export class UserNotFound extends UserError {
  override readonly name = 'UserNotFound';
  constructor(readonly userId: string) {
    super(`There is no user ${userId}.`);
  }
}

/** A second, different registration for a user id: a bug of the caller, never a user's doing. */
export class UserAlreadyRegistered extends UserError {
  override readonly name = 'UserAlreadyRegistered';
  constructor(readonly userId: string) {
    super(`User ${userId} is already registered.`);
  }
}

/** The current password given with a password change is not the user's. */
export class WrongPassword extends UserError {
  override readonly name = 'WrongPassword';
  constructor() {
    super('The current password is wrong.');
  }
}

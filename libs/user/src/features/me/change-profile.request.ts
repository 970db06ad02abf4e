import { PartialType, PickType } from '@nestjs/swagger';
import { RegisterUserRequest } from '../register-user/register-user.request.js';

/** The body of PATCH /api/users/me: a new name, a new email, or both, validated as at registration. */
export class ChangeProfileRequest extends PartialType(PickType(RegisterUserRequest, ['name', 'email'] as const)) {}

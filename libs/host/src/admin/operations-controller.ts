import { applyDecorators, Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Roles } from '@agora/platform';

/** A controller of the operations API under `/api/<path>`: admins only, documented under the tag `operations`. */
export function OperationsApi(path: string): ClassDecorator {
  return applyDecorators(
    ApiTags('operations'),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No valid bearer token.' }),
    ApiForbiddenResponse({ description: 'Not an admin.' }),
    Roles('admin'),
    Controller(path),
  );
}

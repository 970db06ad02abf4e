import { applyDecorators, Controller, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Roles } from '@agora/platform';
import { OperationsErrorFilter } from './operations-errors.filter.js';

/**
 * A controller of the operations API under `/api/<path>`: admins only, documented under the
 * tag `operations`, its work's refusals answered 404/409 (`OperationsErrorFilter`).
 */
export function OperationsApi(path: string): ClassDecorator {
  return applyDecorators(
    ApiTags('operations'),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No valid bearer token.' }),
    ApiForbiddenResponse({ description: 'Not an admin.' }),
    Roles('admin'),
    UseFilters(OperationsErrorFilter),
    Controller(path),
  );
}

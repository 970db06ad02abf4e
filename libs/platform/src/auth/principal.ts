import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';

/**
 * A user is a customer or an admin. `service` is another app of the system calling on
 * behalf of a caller it has already checked (the gateway reading an order's payments for
 * the order's owner): no user, and only routes that name the role let it in.
 */
export const ROLES = ['customer', 'admin', 'service'] as const;
export type Role = (typeof ROLES)[number];

/** Who makes a request, as its bearer token says. */
export interface Principal {
  readonly userId: string;
  readonly role: Role;
}

export const PUBLIC_ROUTE = 'agora:public';
export const REQUIRED_ROLES = 'agora:roles';

/** The route answers without a token. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Only these roles may call the route (403 for the others). */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

/** The HTTP request behind a REST route or a GraphQL operation. */
export function requestOf<R>(context: ExecutionContext): R {
  return context.getType<string>() === 'graphql' ? GqlExecutionContext.create(context).getContext<{ req: R }>().req : context.switchToHttp().getRequest<R>();
}

/** The caller of an authenticated route or resolver. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = requestOf<{ principal?: Principal }>(context).principal;
  if (!principal) throw new Error('CurrentUser on a route without authentication: mark it so, or drop @Public().');
  return principal;
});

/** Whether `principal` may see what belongs to `ownerId`: its owner or an admin. */
export function mayAccess(principal: Principal, ownerId: string): boolean {
  return principal.role === 'admin' || principal.userId === ownerId;
}

/**
 * The client's address of a REST route or GraphQL operation: Express's `request.ip`, which
 * follows X-Forwarded-For only through the proxies the host trusts (TRUST_PROXY_HOPS).
 */
export const ClientAddress = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string => requestOf<{ ip?: string }>(context).ip ?? 'unknown',
);

import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { PUBLIC_ROUTE, REQUIRED_ROLES, requestOf, ROLES, type Principal, type Role } from './principal.js';

interface Claims {
  readonly sub?: unknown;
  readonly role?: unknown;
}

/**
 * Every route and resolver needs a valid bearer token unless marked `@Public()`: 401
 * without one or with a bad or expired one, 403 when `@Roles(…)` leaves the caller's role out.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = requestOf<{ headers: Record<string, string | undefined>; principal?: Principal }>(context);
    const principal = await this.principalOf(request.headers['authorization']);
    request.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (roles && !roles.includes(principal.role)) throw new ForbiddenException(`This needs the role ${roles.join(' or ')}.`);
    return true;
  }

  private async principalOf(authorization: string | undefined): Promise<Principal> {
    const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new UnauthorizedException('Authorization must be a bearer token: log in at POST /api/auth/login.');
    let claims: Claims;
    try {
      claims = await this.jwt.verifyAsync<Claims & object>(token);
    } catch (error) {
      throw new UnauthorizedException(`The bearer token is not valid: ${error instanceof Error ? error.message : 'unreadable'}.`);
    }
    if (typeof claims.sub !== 'string' || !ROLES.includes(claims.role as Role)) throw new UnauthorizedException('The bearer token names no user or role.');
    return { userId: claims.sub, role: claims.role as Role };
  }
}

import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { PUBLIC_ROUTE, REQUIRED_ROLES, requestOf, ROLES, type Principal, type Role } from './principal.js';
import { TOKEN_HOLDERS, type TokenHolders } from './token-holders.js';

interface Claims {
  readonly sub?: unknown;
  readonly role?: unknown;
  readonly ver?: unknown;
  readonly exp?: unknown;
}

/**
 * One answer for every token that does not count, whatever the reason (bad signature,
 * malformed, expired, no `exp`, an unknown user, an older token version): the reason
 * would only help someone forging tokens, and the library's own words are no API.
 */
const NOT_VALID = 'The bearer token is not valid: log in at POST /api/auth/login.';

/**
 * Every route and resolver needs a valid bearer token unless marked `@Public()`: 401
 * without one or with a bad, expired or revoked one, 403 when `@Roles(…)` leaves the
 * caller's role out; a token of the role `service` (an app's own) only where `@Roles`
 * names it. A token must carry `sub`, `role`, `ver` (its user's token version)
 * and `exp`. Where `TOKEN_HOLDERS` is bound (in every host: by the user context, or by the
 * table of token versions of an app without it), the token's version must still count
 * for `sub`, and the role is the one the holders answer.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private holders: TokenHolders | null | undefined;

  constructor(
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
    private readonly modules: ModuleRef,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = requestOf<{ headers: Record<string, string | undefined>; principal?: Principal }>(context);
    const principal = await this.principalOf(request.headers['authorization']);
    request.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    // An app's own token is for what names its role, not for whatever any user may do.
    if (principal.role === 'service' && !roles?.includes('service')) throw new ForbiddenException('This is not for the token of an app.');
    if (roles && !roles.includes(principal.role)) throw new ForbiddenException(`This needs the role ${roles.join(' or ')}.`);
    return true;
  }

  private async principalOf(authorization: string | undefined): Promise<Principal> {
    const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new UnauthorizedException('Authorization must be a bearer token: log in at POST /api/auth/login.');
    let claims: Claims;
    try {
      claims = await this.jwt.verifyAsync<Claims & object>(token);
    } catch {
      throw new UnauthorizedException(NOT_VALID);
    }
    const { sub, role, ver, exp } = claims;
    // jsonwebtoken checks `exp` only when a token has one: one without would never expire.
    if (typeof sub !== 'string' || !ROLES.includes(role as Role) || !Number.isSafeInteger(ver) || (ver as number) < 0 || typeof exp !== 'number') {
      throw new UnauthorizedException(NOT_VALID);
    }
    const holders = this.tokenHolders();
    // An app's token is no user's: no sign-out or password change revokes it; it expires.
    if (!holders || role === 'service') return { userId: sub, role: role as Role };
    const current = await holders.roleFor(sub, ver as number, role as Role);
    if (!current) throw new UnauthorizedException(NOT_VALID);
    return { userId: sub, role: current };
  }

  /** The host's `TOKEN_HOLDERS`, from whichever module binds it; `null` when none does. */
  private tokenHolders(): TokenHolders | null {
    if (this.holders === undefined) {
      try {
        this.holders = this.modules.get<symbol, TokenHolders>(TOKEN_HOLDERS, { strict: false });
      } catch {
        this.holders = null;
      }
    }
    return this.holders;
  }
}

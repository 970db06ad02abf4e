import { Inject, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { createSecretKey } from 'node:crypto';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { AuthGuard } from './auth.guard.js';
import type { Principal } from './principal.js';

export interface AuthOptions {
  readonly secret: string;
  /** Lifetime of an access token. */
  readonly expiresInSeconds: number;
}

export const AUTH_OPTIONS = Symbol('AuthOptions');

export interface AccessToken {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds until it expires. */
  readonly expiresIn: number;
}

/** Who a token is issued to: the principal and their current token version. */
export interface TokenHolder extends Principal {
  readonly tokenVersion: number;
}

/** Issues access tokens (JWT, HS256, with `exp`) for a principal at their token version (`ver`). */
@Injectable()
export class AccessTokens {
  constructor(
    private readonly jwt: JwtService,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

  async issue(holder: TokenHolder): Promise<AccessToken> {
    const accessToken = await this.jwt.signAsync({ sub: holder.userId, role: holder.role, ver: holder.tokenVersion });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.options.expiresInSeconds };
  }

  /** A token of the role `service` for the app `app` (`sub` is `service:<app>`), for its calls to other apps. */
  forService(app: string): Promise<AccessToken> {
    return this.issue({ userId: `service:${app}`, role: 'service', tokenVersion: 0 });
  }
}

/**
 * Authentication for a host: every route needs a bearer token unless `@Public()`, and
 * `AccessTokens` issues them. Global, so that every context's controllers are guarded.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    const key = createSecretKey(Buffer.from(options.secret));
    return {
      module: AuthModule,
      global: true,
      imports: [
        JwtModule.register({
          // A KeyObject made once: given the string, jsonwebtoken makes one on every sign
          // and verify, which cost a quarter of the host's CPU under load.
          secretOrKeyProvider: () => key,
          signOptions: { expiresIn: options.expiresInSeconds, algorithm: 'HS256' },
          verifyOptions: { algorithms: ['HS256'] },
        }),
      ],
      providers: [{ provide: AUTH_OPTIONS, useValue: options }, AccessTokens, { provide: APP_GUARD, useClass: AuthGuard }],
      exports: [AccessTokens],
    };
  }
}

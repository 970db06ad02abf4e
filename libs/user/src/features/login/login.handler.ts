import { Injectable, UnauthorizedException } from '@nestjs/common';
import { AccessTokens, type AccessToken } from '@agora/platform';
import { SignInThrottle } from '../throttling/sign-in-throttle.js';
import { UserCredentials } from '../verify-credentials/user-credentials.js';

/**
 * An access token for the right email and password; one answer for every wrong pair, so it
 * tells nobody which emails exist. Throttled per account and per client `address`
 * (`SignInThrottle`): while either has used up its failures, even the right pair is refused.
 */
@Injectable()
export class LoginHandler {
  constructor(
    private readonly credentials: UserCredentials,
    private readonly tokens: AccessTokens,
    private readonly throttle: SignInThrottle,
  ) {}

  async execute(email: string, password: string, address: string): Promise<AccessToken> {
    await this.throttle.beforeSignIn(email, address);
    const user = await this.credentials.verify(email, password);
    if (!user) throw new UnauthorizedException('The email or the password is wrong.');
    await this.throttle.signInSucceeded(email, address);
    return this.tokens.issue(user);
  }
}

import { Injectable, UnauthorizedException } from '@nestjs/common';
import { AccessTokens, type AccessToken } from '@agora/platform';
import { UserCredentials } from '../verify-credentials/user-credentials.js';

/** An access token for the right email and password; one answer for every wrong pair, so it tells nobody which emails exist. */
@Injectable()
export class LoginHandler {
  constructor(
    private readonly credentials: UserCredentials,
    private readonly tokens: AccessTokens,
  ) {}

  async execute(email: string, password: string): Promise<AccessToken> {
    const user = await this.credentials.verify(email, password);
    if (!user) throw new UnauthorizedException('The email or the password is wrong.');
    return this.tokens.issue(user);
  }
}

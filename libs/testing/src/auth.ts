import { JwtService } from '@nestjs/jwt';
import { AuthModule, type Principal } from '@agora/platform';

/** Signs the tokens of test apps, and of hosts that tests spawn (`HostProcess`). */
export const TEST_JWT_SECRET = 'agora-test-secret-that-is-long-enough-for-hs256';
const SECRET = TEST_JWT_SECRET;

/** The host's authentication for a test app, and bearer headers for whoever the test plays. */
export const testAuth = {
  module: () => AuthModule.forRoot({ secret: SECRET, expiresInSeconds: 3600 }),
  /** A token as the host issues them: at token version 0 (a user who never changed a password or signed out), for an hour. */
  async bearer(principal: Principal, tokenVersion = 0): Promise<{ authorization: string }> {
    const token = await new JwtService({ secret: SECRET }).signAsync({ sub: principal.userId, role: principal.role, ver: tokenVersion }, { expiresIn: 3600 });
    return { authorization: `Bearer ${token}` };
  },
};

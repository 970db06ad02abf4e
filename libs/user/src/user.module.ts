import { Module, type DynamicModule } from '@nestjs/common';
import { ChangeProfileHandler } from './features/change-profile/change-profile.handler.js';
import { GetUserHandler } from './features/get-user/get-user.handler.js';
import { LoginController } from './features/login/login.controller.js';
import { LoginHandler } from './features/login/login.handler.js';
import { MeController } from './features/me/me.controller.js';
import { RegisterUserController } from './features/register-user/register-user.controller.js';
import { RegisterUserHandler } from './features/register-user/register-user.handler.js';
import { SIGN_IN_LIMITS, SignInThrottle, type SignInLimits } from './features/throttling/sign-in-throttle.js';
import { UserAccounts } from './features/user-accounts.js';
import { UserCredentials } from './features/verify-credentials/user-credentials.js';

/**
 * The user context: accounts, credentials, roles. Needs `EVENT_STORE`, and the read
 * models' `DataSource` and `PROJECTIONS` (with `userReadModel` among them) from global
 * modules of the host, and `PG_POOL` for the counters of sign-in throttling. Hands the
 * host the handlers its auth endpoints call. `forRoot` sets the throttling's limits;
 * imported as it is, the configuration's defaults apply.
 */
@Module({
  controllers: [RegisterUserController, LoginController, MeController],
  providers: [UserAccounts, RegisterUserHandler, ChangeProfileHandler, GetUserHandler, UserCredentials, LoginHandler, SignInThrottle],
  exports: [RegisterUserHandler, ChangeProfileHandler, GetUserHandler, UserCredentials, LoginHandler, SignInThrottle],
})
export class UserModule {
  static forRoot(limits: SignInLimits): DynamicModule {
    return { module: UserModule, providers: [{ provide: SIGN_IN_LIMITS, useValue: limits }] };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import { TOKEN_HOLDERS } from '@agora/platform';
import { ChangePasswordHandler } from './features/change-password/change-password.handler.js';
import { ResetPasswordController } from './features/change-password/reset-password.controller.js';
import { ResetPasswordHandler } from './features/change-password/reset-password.handler.js';
import { ChangeProfileHandler } from './features/change-profile/change-profile.handler.js';
import { GetUserHandler } from './features/get-user/get-user.handler.js';
import { LoginController } from './features/login/login.controller.js';
import { LoginHandler } from './features/login/login.handler.js';
import { MeController } from './features/me/me.controller.js';
import { RegisterUserController } from './features/register-user/register-user.controller.js';
import { RegisterUserHandler } from './features/register-user/register-user.handler.js';
import { SignOutController } from './features/sign-out/sign-out.controller.js';
import { SignOutHandler } from './features/sign-out/sign-out.handler.js';
import { SIGN_IN_LIMITS, SignInThrottle, type SignInLimits } from './features/throttling/sign-in-throttle.js';
import { UserTokenHolders } from './features/token-holders/user-token-holders.js';
import { UserAccounts } from './features/user-accounts.js';
import { UserCredentials } from './features/verify-credentials/user-credentials.js';
import { UserOutboundMapping } from './integration/user-outbound.mapping.js';

/**
 * The user context: accounts, credentials, roles. Needs `EVENT_STORE`, and the read
 * models' `DataSource` and `PROJECTIONS` (with `userReadModel` among them) from global
 * modules of the host, and `PG_POOL` for the counters of sign-in throttling. Hands the
 * host the handlers its auth endpoints call. `forRoot` sets the throttling's limits;
 * imported as it is, the configuration's defaults apply. Binds `TOKEN_HOLDERS`, so that
 * the host's `AuthGuard` refuses tokens of unknown users and older token versions, and
 * gives `UserOutboundMapping` (the moves of token versions) to a host that publishes on Kafka.
 */
@Module({
  // ResetPasswordController after MeController: PUT users/me/password is matched before users/:id/password.
  controllers: [RegisterUserController, LoginController, SignOutController, MeController, ResetPasswordController],
  providers: [
    UserAccounts,
    RegisterUserHandler,
    ChangeProfileHandler,
    ChangePasswordHandler,
    ResetPasswordHandler,
    SignOutHandler,
    GetUserHandler,
    UserCredentials,
    LoginHandler,
    SignInThrottle,
    UserTokenHolders,
    { provide: TOKEN_HOLDERS, useExisting: UserTokenHolders },
    { provide: UserOutboundMapping, useValue: new UserOutboundMapping() },
  ],
  exports: [RegisterUserHandler, ChangeProfileHandler, ChangePasswordHandler, ResetPasswordHandler, SignOutHandler, GetUserHandler, UserCredentials, LoginHandler, SignInThrottle, UserOutboundMapping],
})
export class UserModule {
  static forRoot(limits: SignInLimits): DynamicModule {
    return { module: UserModule, providers: [{ provide: SIGN_IN_LIMITS, useValue: limits }] };
  }
}

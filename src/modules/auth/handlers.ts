import type { Handlers } from '../../http/registry.ts';
import type { AuthService } from './service.ts';

type AuthOps =
  | 'loginUser'
  | 'refreshSession'
  | 'logoutUser'
  | 'requestPasswordReset'
  | 'resetPassword'
  | 'activateAccount'
  | 'getMyPermissions'
  | 'issueWsTicket'
  | 'changeMyPassword';

export function authHandlers(auth: AuthService): Handlers<AuthOps> {
  return {
    loginUser: async ({ body, meta }) => ({ status: 200, body: await auth.login(body, meta) }),
    refreshSession: async ({ body, meta }) => ({ status: 200, body: await auth.refresh(body.refreshToken, meta) }),
    logoutUser: async ({ body, maybeActor, meta }) => {
      await auth.logout(maybeActor, body ?? {}, meta);
      return { status: 204, body: undefined };
    },
    requestPasswordReset: async ({ body, meta }) => ({ status: 202, body: await auth.requestPasswordReset(body.email, meta) }),
    resetPassword: async ({ body, meta }) => {
      await auth.resetPassword(body, meta);
      return { status: 204, body: undefined };
    },
    activateAccount: async ({ body, meta }) => {
      await auth.activateAccount(body, meta);
      return { status: 204, body: undefined };
    },
    getMyPermissions: ({ actor }) => ({ status: 200, body: auth.myPermissions(actor) }),
    issueWsTicket: async ({ actor, meta }) => ({ status: 200, body: await auth.issueWsTicket(actor, meta) }),
    changeMyPassword: async ({ actor, body, meta }) => {
      await auth.changeMyPassword(actor, body, meta);
      return { status: 204, body: undefined };
    },
  };
}

import type { Handlers } from '../../http/registry.ts';
import type { UsersService } from './service.ts';

type UserOps =
  | 'listUsers'
  | 'createUser'
  | 'getMe'
  | 'updateMyProfile'
  | 'listMyTeam'
  | 'listDirectory'
  | 'getUser'
  | 'updateUser'
  | 'changeUserRole'
  | 'changeUserStatus'
  | 'suspendUser'
  | 'reactivateUser'
  | 'deactivateUser'
  | 'resendInvitation'
  | 'sendPasswordResetLink';

export function usersHandlers(users: UsersService): Handlers<UserOps> {
  return {
    listUsers: async ({ actor, query }) => ({ status: 200, body: await users.listUsers(actor, query) }),
    createUser: async ({ actor, body, meta }) => ({ status: 201, body: await users.createUser(actor, body, meta) }),
    getMe: async ({ actor }) => ({ status: 200, body: await users.getMe(actor) }),
    updateMyProfile: async ({ actor, body, meta }) => ({ status: 200, body: await users.updateMyProfile(actor, body, meta) }),
    listMyTeam: async ({ actor, query }) => ({ status: 200, body: await users.listMyTeam(actor, query) }),
    listDirectory: async ({ actor, query }) => ({ status: 200, body: await users.listDirectory(actor, query) }),
    getUser: async ({ actor, params }) => ({ status: 200, body: await users.getUser(actor, params.userId) }),
    updateUser: async ({ actor, params, body, meta }) => ({ status: 200, body: await users.updateUser(actor, params.userId, body, meta) }),
    changeUserRole: async ({ actor, params, body, meta }) => ({
      status: 200,
      body: await users.changeUserRole(actor, params.userId, body.role, meta),
    }),
    changeUserStatus: async ({ actor, params, body, meta }) => ({
      status: 200,
      body: await users.changeUserStatus(actor, params.userId, body.status, body.reason, meta),
    }),
    // No body is the same as `{}` (the body is optional).
    suspendUser: async ({ actor, params, body, meta }) => ({
      status: 200,
      body: await users.changeUserStatus(actor, params.userId, 'suspended', body?.reason, meta),
    }),
    reactivateUser: async ({ actor, params, meta }) => ({ status: 200, body: await users.changeUserStatus(actor, params.userId, 'active', null, meta) }),
    deactivateUser: async ({ actor, params, meta }) => ({ status: 200, body: await users.changeUserStatus(actor, params.userId, 'inactive', null, meta) }),
    resendInvitation: async ({ actor, params, meta }) => ({ status: 202, body: await users.resendInvitation(actor, params.userId, meta) }),
    sendPasswordResetLink: async ({ actor, params, meta }) => ({ status: 202, body: await users.sendPasswordResetLink(actor, params.userId, meta) }),
  };
}

import type { Handlers } from '../../http/registry.ts';
import type { PermissionsService } from './service.ts';

type PermissionOps = 'listPermissions' | 'getRolePermissions' | 'getUserPermissions' | 'updateUserPermissionOverrides';

export function permissionsHandlers(permissions: PermissionsService): Handlers<PermissionOps> {
  return {
    listPermissions: async ({ query }) => ({ status: 200, body: await permissions.listPermissions(query) }),
    getRolePermissions: async ({ params }) => ({ status: 200, body: await permissions.getRolePermissions(params.role) }),
    getUserPermissions: async ({ actor, params }) => ({ status: 200, body: await permissions.getUserPermissions(actor, params.userId) }),
    updateUserPermissionOverrides: async ({ actor, params, body, meta }) => ({
      status: 200,
      body: await permissions.updateUserPermissionOverrides(actor, params.userId, body, meta),
    }),
  };
}

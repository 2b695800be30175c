import type { Handlers } from '../../http/registry.ts';
import type { DepartmentsService } from './service.ts';

type DepartmentOps = 'listDepartments' | 'getDepartment' | 'createDepartment' | 'updateDepartment' | 'deactivateDepartment' | 'listDepartmentMembers';

export function departmentHandlers(departments: DepartmentsService): Handlers<DepartmentOps> {
  return {
    listDepartments: async ({ query }) => ({ status: 200, body: await departments.list(query) }),
    getDepartment: async ({ params }) => ({ status: 200, body: await departments.get(params.departmentId) }),
    createDepartment: async ({ actor, body, meta }) => ({ status: 201, body: await departments.create(actor, body, meta) }),
    updateDepartment: async ({ actor, params, body, meta }) => ({
      status: 200,
      body: await departments.update(actor, params.departmentId, body, meta),
    }),
    deactivateDepartment: async ({ actor, params, meta }) => ({ status: 200, body: await departments.deactivate(actor, params.departmentId, meta) }),
    listDepartmentMembers: async ({ actor, params, query }) => ({
      status: 200,
      body: await departments.listMembers(actor, params.departmentId, query),
    }),
  };
}

import type { Handlers } from '../../http/registry.ts';
import type { LeavesService } from './service.ts';

type LeaveOps =
  | 'submitLeaveRequest'
  | 'listMyLeaveRequests'
  | 'listPendingLeaveApprovals'
  | 'listLeaveRequests'
  | 'getLeaveRequest'
  | 'amendLeaveRequest'
  | 'resolveLeaveRequest'
  | 'cancelLeaveRequest'
  | 'getLeaveTimeline';

export function leaveHandlers(leaves: LeavesService): Handlers<LeaveOps> {
  return {
    submitLeaveRequest: async ({ actor, body, meta }) => ({ status: 201, body: await leaves.submit(actor, body, meta) }),
    listMyLeaveRequests: async ({ actor, query }) => ({ status: 200, body: await leaves.listMine(actor, query) }),
    listPendingLeaveApprovals: async ({ actor, query }) => ({ status: 200, body: await leaves.listPending(actor, query) }),
    listLeaveRequests: async ({ actor, query }) => ({ status: 200, body: await leaves.list(actor, query) }),
    getLeaveRequest: async ({ actor, params }) => ({ status: 200, body: await leaves.get(actor, params.leaveId) }),
    amendLeaveRequest: async ({ actor, params, body, meta }) => ({ status: 200, body: await leaves.amend(actor, params.leaveId, body, meta) }),
    resolveLeaveRequest: async ({ actor, params, body, meta }) => ({ status: 200, body: await leaves.resolve(actor, params.leaveId, body, meta) }),
    cancelLeaveRequest: async ({ actor, params, body, meta }) => ({
      status: 200,
      body: await leaves.cancel(actor, params.leaveId, body as typeof body | undefined, meta),
    }),
    getLeaveTimeline: async ({ actor, params, query }) => ({ status: 200, body: await leaves.timeline(actor, params.leaveId, query) }),
  };
}

import type { Handlers } from '../../http/registry.ts';
import type { ApprovalsService } from './service.ts';

export function approvalHandlers(approvals: ApprovalsService): Handlers<'listMyPendingApprovals'> {
  return {
    listMyPendingApprovals: async ({ actor, query }) => ({ status: 200, body: await approvals.listPending(actor, query) }),
  };
}

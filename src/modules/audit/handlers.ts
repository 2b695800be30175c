import type { Handlers } from '../../http/registry.ts';
import type { AuditService } from './service.ts';

type AuditOps = 'listAuditLogs' | 'getAuditLog' | 'verifyAuditChain';

export function auditHandlers(audit: AuditService): Handlers<AuditOps> {
  return {
    listAuditLogs: async ({ query }) => ({ status: 200, body: await audit.list(query) }),
    getAuditLog: async ({ params }) => ({ status: 200, body: await audit.get(params.auditLogId) }),
    verifyAuditChain: async ({ actor, query, meta }) => ({ status: 200, body: await audit.verify(actor, query, meta) }),
  };
}

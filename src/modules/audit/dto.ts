import type { components } from '../../../generated/sdk/src/schema.ts';
import type { AuditRow } from './queries.ts';

export type AuditEntryDto = components['schemas']['AuditEntry'];
export type AuditChainVerificationDto = components['schemas']['AuditChainVerification'];

export function toAuditEntryDto(row: AuditRow): AuditEntryDto {
  return {
    id: row.id,
    seq: row.seq,
    occurredAt: row.occurredAt.toISOString(),
    actorUserId: row.actorUserId,
    actorName: row.actorName,
    actorRole: row.actorRole,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    entityLabel: row.entityLabel,
    outcome: row.outcome,
    before: row.before,
    after: row.after,
    metadata: row.metadata,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

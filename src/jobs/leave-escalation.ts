/**
 * `leave-escalation` (03 §4.1, 05 §6): a request still `pending` with a routed approver, never escalated, whose
 * `awaitingSince` is at least LEAVE_ESCALATION_HOURS old moves to the org pool: `escalated`, `escalatedFromId` = the
 * approver, `currentApproverId` null, `escalationCount` 1. Timeline `escalated` (system), audit `leave.escalated`
 * (actor null, metadata job), event `leave.escalated` → the requester and the org pool. Pooled requests are never
 * escalated and no request twice; each request is one conditional update in its own transaction, so running the job
 * again (or on two instances) changes nothing more. A failure on one request is logged and the run continues.
 */
import { approverPool, LEAVE_APPROVAL_KEYS } from '../auth/approvers.ts';
import { recordAudit } from '../audit/record.ts';
import type { Db } from '../db/pool.ts';
import { leaveLabel } from '../modules/leaves/dto.ts';
import { escalateLeave, findDueForEscalation, findLeave, insertTimelineEntry } from '../modules/leaves/queries.ts';
import { publishEvent } from '../realtime/outbox.ts';
import type { Job } from './scheduler.ts';

const JOB = 'leave-escalation';
const HOUR_MS = 3_600_000;

export function leaveEscalationJob(db: Db, settings: { leaveEscalationHours: number }): Job {
  return {
    name: JOB,
    async run({ now, logger }) {
      const dueBefore = new Date(now.getTime() - settings.leaveEscalationHours * HOUR_MS);
      let escalated = 0;
      let failed = 0;
      for (const leaveId of await findDueForEscalation(db, dueBefore)) {
        try {
          const done = await db.transaction(async (tx) => {
            const moved = await escalateLeave(tx, leaveId, dueBefore, now);
            if (!moved) return false;
            await insertTimelineEntry(tx, { leaveId, actorId: null, action: 'escalated' }, now);
            const row = (await findLeave(tx, leaveId))!;
            const pool = await approverPool(tx, { ownerId: row.userId, requesterId: row.userId, keys: LEAVE_APPROVAL_KEYS });
            const audience = { kind: 'users' as const, userIds: [row.userId, ...pool] };
            const payload = { leaveId, userId: row.userId, escalatedFromId: moved.escalatedFromId };
            await publishEvent(tx, audience, { type: 'leave.escalated', payload, entityType: 'leave_request', entityId: leaveId }, now);
            await publishEvent(tx, audience, { type: 'dashboard.changed', payload: { scope: 'approvals' } }, now);
            await recordAudit(tx, {
              actor: null,
              action: 'leave.escalated',
              entityType: 'leave_request',
              entityId: leaveId,
              entityLabel: leaveLabel(row),
              before: { status: 'pending', currentApproverId: moved.escalatedFromId },
              after: { status: 'escalated', comment: null, currentApproverId: null },
              metadata: { job: JOB },
            });
            return true;
          });
          if (done) escalated++;
        } catch (error) {
          failed++;
          logger.error({ err: error, leaveId }, 'leave escalation failed');
        }
      }
      return { escalated, failed };
    },
  };
}

import { recordAudit } from '../audit/record.ts';
import type { Db } from '../db/pool.ts';
import { anchorExistsFor, orgDateAndAnchorTime, readChainHead } from '../modules/audit/queries.ts';
import type { Job } from './scheduler.ts';

/**
 * `audit-anchor` (04 §2.4 item 5, §4.3 `audit.anchor`): once per organization date, from 03:00 in ORG_TIMEZONE,
 * records the chain head (last seq, hex hash) in the application log and as audit `audit.chain_anchored`, so a
 * full rewrite of the log by a database superuser is detectable against externally retained logs.
 * Idempotent: the org date is kept in `metadata.orgDate` and a second run for the same date does nothing.
 */
export function auditAnchorJob(db: Db, orgTimezone: string): Job {
  return {
    name: 'audit-anchor',
    async run({ now, logger }) {
      const { orgDate, pastAnchorTime } = await orgDateAndAnchorTime(db, now, orgTimezone);
      if (!pastAnchorTime) return { anchored: false, orgDate, reason: 'before_03_00' };
      const result = await db.transaction(async (tx) => {
        if (await anchorExistsFor(tx, orgDate)) return { anchored: false, orgDate, reason: 'already_anchored' };
        const head = await readChainHead(tx);
        await recordAudit(tx, {
          actor: null,
          action: 'audit.chain_anchored',
          entityType: 'audit_log',
          entityId: null,
          after: { seq: head.lastSeq, hash: head.lastHash },
          metadata: { job: 'audit-anchor', orgDate },
        });
        return { anchored: true, orgDate, seq: head.lastSeq, hash: head.lastHash };
      });
      // The application-log copy of the anchor, written once the audit row is committed.
      if (result.anchored) logger.info({ orgDate, seq: result.seq, hash: result.hash }, 'audit chain anchored');
      return result;
    },
  };
}

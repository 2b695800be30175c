/**
 * The audit log API (04 §3.7): filtered reads and chain verification. The log itself is written only through
 * `recordAudit` (src/audit/record.ts) and protected by the triggers and grants of migration 0001.
 */
import type { Actor } from '../../auth/actor.ts';
import { recordAuditAlone } from '../../audit/record.ts';
import type { Db } from '../../db/pool.ts';
import { invalid, notFound } from '../../http/errors.ts';
import type { RequestMeta } from '../../http/request-context.ts';
import { pageWindow, toPage, type Page, type PageQuery } from '../../lib/page.ts';
import { toAuditEntryDto, type AuditChainVerificationDto, type AuditEntryDto } from './dto.ts';
import { auditHashAt, findAuditEntry, listAuditEntries, readChainHead, verifyAuditChunk, type ChainProblem } from './queries.ts';

/** Longest range one verification may cover (04 §3.7). */
export const VERIFY_MAX_SPAN = 1_000_000;
/** Rows per verification statement: each batch is one short statement, well inside the statement timeout. */
const VERIFY_BATCH = 50_000;
/** `prev_hash` of the first row (the genesis head of migration 0001). */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditListQuery extends PageQuery {
  actorUserId?: string;
  /** Comma-separated exact action names (the contract allows at most 20). */
  action?: string;
  entityType?: string;
  entityId?: string;
  outcome?: 'success' | 'denied' | 'failed';
  from?: string;
  to?: string;
  sort?: '-seq' | 'seq';
}

/**
 * The contract's `format: date` is checked by pattern only, so 2026-02-30 would reach SQL; refuse it here.
 * @throws AppError 422 naming `field`.
 */
function assertCalendarDate(field: string, value: string | undefined): void {
  if (value === undefined) return;
  const date = new Date(`${value}T00:00:00.000Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) throw invalid(field, 'must be a valid calendar date');
}

export function createAuditService(deps: { db: Db; orgTimezone: string; verifyBatchSize?: number }) {
  const { db, orgTimezone } = deps;
  const batch = deps.verifyBatchSize ?? VERIFY_BATCH;

  return {
    /** @throws AppError 422 `query.from` / `query.to` for an impossible date, `query.to` when `to` is before `from`. */
    async list(query: AuditListQuery): Promise<Page<AuditEntryDto>> {
      assertCalendarDate('query.from', query.from);
      assertCalendarDate('query.to', query.to);
      if (query.from !== undefined && query.to !== undefined && query.to < query.from) throw invalid('query.to', 'must be on or after from');
      const { limit, offset } = pageWindow(query);
      const { rows, total } = await listAuditEntries(db, {
        actorUserId: query.actorUserId,
        actions: query.action !== undefined ? [...new Set(query.action.split(','))] : undefined,
        entityType: query.entityType,
        entityId: query.entityId,
        outcome: query.outcome,
        from: query.from,
        to: query.to,
        timezone: orgTimezone,
        sort: query.sort ?? '-seq',
        limit,
        offset,
      });
      return toPage(rows, total, toAuditEntryDto, { limit, offset });
    },

    /** @throws AppError 404 for an unknown id. */
    async get(id: string): Promise<AuditEntryDto> {
      const row = await findAuditEntry(db, id);
      if (!row) throw notFound();
      return toAuditEntryDto(row);
    },

    /**
     * Recomputes every row hash of `fromSeq..toSeq` in SQL, batch by batch, and stops at the first invalid row.
     * A range that reaches the head is also checked against the head's own hash (a rewritten last row).
     * Then records `audit.chain_verified` with the result in its own transaction.
     * @throws AppError 422 `query.toSeq` when below `fromSeq` or the span exceeds 1 000 000 rows.
     */
    async verify(actor: Actor, query: { fromSeq?: number; toSeq?: number }, meta: RequestMeta): Promise<AuditChainVerificationDto> {
      const fromSeq = query.fromSeq ?? 1;
      if (query.toSeq !== undefined && query.toSeq < fromSeq) throw invalid('query.toSeq', 'must be greater than or equal to fromSeq');
      const head = await readChainHead(db);
      const requestedTo = query.toSeq ?? head.lastSeq;
      if (requestedTo - fromSeq + 1 > VERIFY_MAX_SPAN) {
        throw invalid('query.toSeq', `the range must not exceed ${VERIFY_MAX_SPAN} rows; pass a smaller toSeq`);
      }
      const toSeq = Math.min(requestedTo, head.lastSeq);

      let afterSeq = fromSeq - 1;
      let afterHash = fromSeq === 1 ? GENESIS_HASH : await auditHashAt(db, fromSeq - 1);
      let checkedCount = 0;
      let firstInvalidSeq: number | null = null;
      let reason: ChainProblem | null = null;
      while (afterSeq < toSeq) {
        const chunk = await verifyAuditChunk(db, { afterSeq, afterHash, toSeq, batch });
        checkedCount += chunk.checkedCount;
        if (chunk.reason !== null) {
          firstInvalidSeq = chunk.invalidSeq;
          reason = chunk.reason;
          break;
        }
        if (chunk.lastSeq === null) {
          // Rows up to toSeq are missing at the end of the range.
          firstInvalidSeq = afterSeq + 1;
          reason = 'seq_gap';
          break;
        }
        afterSeq = chunk.lastSeq;
        afterHash = chunk.lastHash;
      }
      if (reason === null && toSeq >= fromSeq && toSeq === head.lastSeq && afterHash !== head.lastHash) {
        firstInvalidSeq = head.lastSeq;
        reason = 'hash_mismatch';
      }

      const result: AuditChainVerificationDto = {
        valid: reason === null,
        checkedCount,
        fromSeq,
        toSeq,
        headSeq: head.lastSeq,
        headHash: head.lastHash,
        firstInvalidSeq,
        reason,
      };
      await recordAuditAlone(db, {
        actor,
        action: 'audit.chain_verified',
        entityType: 'audit_log',
        entityId: null,
        after: { valid: result.valid, checkedCount },
        metadata: { fromSeq, toSeq, firstInvalidSeq, reason },
        meta,
      });
      return result;
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;

/**
 * The unified approvals inbox (04 §3.1): exactly the requests the caller can decide now, under each owning chapter's
 * rule, never the caller's own. Each kind contributes one SQL source owned by its module; the inbox unions them.
 * A new kind (projects, task completion requests) is one entry in KINDS plus its value in the contract's ApprovalKind.
 */
import type { FragmentSqlToken } from 'slonik';
import type { components } from '../../../generated/sdk/src/schema.ts';
import type { Actor } from '../../auth/actor.ts';
import { can } from '../../auth/actor.ts';
import { CORRECTION_APPROVAL_KEYS, LEAVE_APPROVAL_KEYS } from '../../auth/approvers.ts';
import { inScope, scopeOf } from '../../auth/scope.ts';
import type { Db } from '../../db/pool.ts';
import { sql } from '../../db/sql.ts';
import { pageWindow, toPage, type PageQuery } from '../../lib/page.ts';
import { correctionApprovalItems } from '../attendance/corrections-queries.ts';
import { mayResolveLeave } from '../leaves/access.ts';
import { leaveApprovalItems, type LeaveType } from '../leaves/queries.ts';
import { APPROVAL_KINDS, listInbox, type ApprovalKind, type InboxRow } from './queries.ts';

type PendingApprovalList = components['schemas']['PendingApprovalList'];

const SUMMARY_MAX = 200;

const LEAVE_LABEL: Record<LeaveType, string> = {
  sick: 'Sick leave',
  casual: 'Casual leave',
  annual: 'Annual leave',
  half_day: 'Half-day leave',
  wfh: 'Work from home',
};

const fit = (text: string) => (text.length <= SUMMARY_MAX ? text : `${text.slice(0, SUMMARY_MAX - 1)}…`);

/** "Annual leave 2026-12-01 – 2026-12-03 (3 days)", "Sick leave 2026-12-04, first half (0.5 days)". */
function leaveSummary(detail: Record<string, unknown>): string {
  const days = Number(detail.workingDays);
  const dates = detail.startDate === detail.endDate ? String(detail.startDate) : `${String(detail.startDate)} – ${String(detail.endDate)}`;
  const half = detail.halfDayPeriod === 'first_half' ? ', first half' : detail.halfDayPeriod === 'second_half' ? ', second half' : '';
  return `${LEAVE_LABEL[detail.leaveType as LeaveType] ?? 'Leave'} ${dates}${half} (${days} ${days === 1 ? 'day' : 'days'})`;
}

/** "Attendance correction, 2026-11-27 (for Sara Khan)": the work date and the session owner. */
function correctionSummary(detail: Record<string, unknown>): string {
  return `Attendance correction, ${String(detail.workDate)} (for ${String(detail.ownerName)})`;
}

interface InboxKind {
  /** The caller's items of this kind as an SQL source, or null when the caller may decide none. */
  source(actor: Actor): FragmentSqlToken | null;
  summary(detail: Record<string, unknown>): string;
}

/** Every kind of the inbox; the one place to add the next. */
const KINDS: Record<ApprovalKind, InboxKind> = {
  // 03 §4.1 may-resolve: the same condition as listPendingLeaveApprovals (L3).
  leave_request: {
    source: (actor) => (can(actor, LEAVE_APPROVAL_KEYS.approve) ? leaveApprovalItems(mayResolveLeave(actor)) : null),
    summary: leaveSummary,
  },
  // 02 §3.4: the approve key, the owner in the caller's attendance scope, four-eyes.
  attendance_correction: {
    source: (actor) =>
      can(actor, CORRECTION_APPROVAL_KEYS.approve)
        ? correctionApprovalItems({ approverId: actor.userId, ownerInScope: inScope(actor, scopeOf(actor, 'attendance'), sql.identifier(['c', 'user_id'])) })
        : null,
    summary: correctionSummary,
  },
};

const toItem = (row: InboxRow) => ({
  kind: row.kind,
  id: row.id,
  requesterId: row.requesterId,
  requesterName: row.requesterName,
  submittedAt: row.submittedAt.toISOString(),
  summary: fit(KINDS[row.kind].summary(row.detail)),
});

export function createApprovalsService(deps: { db: Db }) {
  const { db } = deps;
  return {
    /** The caller's inbox, optionally one kind; a caller who may decide nothing gets an empty page (never 403). */
    async listPending(actor: Actor, query: { kind?: ApprovalKind } & PageQuery): Promise<PendingApprovalList> {
      const kinds = query.kind ? [query.kind] : APPROVAL_KINDS;
      const sources = kinds.map((kind) => KINDS[kind].source(actor)).filter((s): s is FragmentSqlToken => s !== null);
      const { limit, offset } = pageWindow(query);
      const { rows, total } = await listInbox(db, { sources, limit, offset });
      return toPage(rows, total, toItem, { limit, offset });
    },
  };
}

export type ApprovalsService = ReturnType<typeof createApprovalsService>;

/**
 * The approvals inbox as one statement (04 §3.1): the sources of every kind the caller may decide, each yielding the
 * same columns (kind, id, requester_id, requester_name, submitted_at, detail jsonb), joined by UNION ALL, counted
 * exactly and paged oldest first (`submitted_at`, then `id`).
 */
import { sql, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../db/pool.ts';

export const APPROVAL_KINDS = ['leave_request', 'attendance_correction'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

export const InboxRow = z.object({
  kind: z.enum(APPROVAL_KINDS),
  id: z.string(),
  requesterId: z.string(),
  requesterName: z.string(),
  submittedAt: z.date(),
  detail: z.record(z.unknown()),
});
export type InboxRow = z.infer<typeof InboxRow>;

const Count = z.object({ total: z.number() });

export async function listInbox(
  db: Queryable,
  input: { sources: readonly FragmentSqlToken[]; limit: number; offset: number },
): Promise<{ rows: readonly InboxRow[]; total: number }> {
  if (input.sources.length === 0) return { rows: [], total: 0 };
  const union = sql.join(
    input.sources.map((source) => sql.fragment`(${source})`),
    sql.fragment` UNION ALL `,
  );
  const total = await db.oneFirst(sql.type(Count)`SELECT count(*)::int AS total FROM (${union}) AS inbox`);
  const rows = await db.any(sql.type(InboxRow)`
    SELECT kind, id, requester_id, requester_name, submitted_at, detail
    FROM (${union}) AS inbox
    ORDER BY submitted_at, id
    LIMIT ${input.limit} OFFSET ${input.offset}`);
  return { rows, total };
}

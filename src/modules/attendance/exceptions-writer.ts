/**
 * Creating and system-resolving attendance exceptions (02 §4.7). Creation is `ON CONFLICT DO NOTHING` on
 * (user, work date, type); system resolutions have no resolver and a note starting `auto:`.
 */
import { sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../db/pool.ts';

export type ExceptionType = 'late' | 'early' | 'overtime' | 'missing_checkout' | 'absent' | 'correction_request';

/** Severity is fixed per type (02 §4.7). */
export const EXCEPTION_SEVERITY: Record<ExceptionType, 'low' | 'medium' | 'high'> = {
  late: 'medium',
  early: 'medium',
  overtime: 'low',
  missing_checkout: 'high',
  absent: 'high',
  correction_request: 'medium',
};

const Id = z.object({ id: z.string() });

/** Raises an exception unless one of that type exists for the user and date; returns the new id, or null. */
export async function raiseException(
  tx: Queryable,
  input: { userId: string; workDate: string; type: ExceptionType; now: Date; sessionId?: string | null; correctionId?: string | null; reason?: string | null },
): Promise<string | null> {
  const row = await tx.maybeOne(sql.type(Id)`
    INSERT INTO attendance_exceptions (user_id, work_date, type, severity, status, session_id, correction_id, detected_at, reason, created_at, updated_at)
    VALUES (${input.userId}, ${input.workDate}, ${input.type}, ${EXCEPTION_SEVERITY[input.type]}, 'open', ${input.sessionId ?? null},
            ${input.correctionId ?? null}, ${sql.timestamp(input.now)}, ${input.reason?.slice(0, 1000) ?? null},
            ${sql.timestamp(input.now)}, ${sql.timestamp(input.now)})
    ON CONFLICT (user_id, work_date, type) DO NOTHING
    RETURNING id`);
  return row?.id ?? null;
}

/**
 * Closes open exceptions as the system: `resolved` or `dismissed`, no resolver, a note `auto: …`.
 * Filter by user + date + type, or by session / correction.
 * @returns the ids closed.
 */
export async function closeExceptionsAsSystem(
  tx: Queryable,
  input: {
    status: 'resolved' | 'dismissed';
    note: string;
    now: Date;
    types: readonly ExceptionType[];
    userId?: string;
    workDate?: string;
    sessionId?: string;
    correctionId?: string;
  },
): Promise<string[]> {
  const filters = [
    sql.fragment`status = 'open'`,
    sql.fragment`type = ANY(${sql.array([...input.types], 'varchar')})`,
    ...(input.userId ? [sql.fragment`user_id = ${input.userId}`] : []),
    ...(input.workDate ? [sql.fragment`work_date = ${input.workDate}`] : []),
    ...(input.sessionId ? [sql.fragment`session_id = ${input.sessionId}`] : []),
    ...(input.correctionId ? [sql.fragment`correction_id = ${input.correctionId}`] : []),
  ];
  const note = input.note.startsWith('auto:') ? input.note : `auto: ${input.note}`;
  const rows = await tx.any(sql.type(Id)`
    UPDATE attendance_exceptions
    SET status = ${input.status}, resolution_note = ${note.slice(0, 2000)}, resolved_by_id = NULL,
        resolved_at = ${sql.timestamp(input.now)}, updated_at = ${sql.timestamp(input.now)}
    WHERE ${sql.join(filters, sql.fragment` AND `)}
    RETURNING id`);
  return rows.map((r) => r.id);
}

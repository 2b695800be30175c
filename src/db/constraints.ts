import { AppError, conflict, invalid } from '../http/errors.ts';

/**
 * Constraint name → the error a client sees: the one place where database invariants become 409/422.
 * A violation of a constraint not listed here is a bug (500), because a service should have checked first;
 * the listed ones are the races a service cannot rule out without the database.
 */
const CONSTRAINT_ERRORS: Record<string, () => AppError> = {
  users_email_key: () => conflict('A user with this email already exists.', [{ field: 'body.email', message: 'is already in use' }]),
  departments_name_key: () => conflict('A department with this name already exists.', [{ field: 'body.name', message: 'is already in use' }]),
  users_manager_not_self: () => invalid('body.managerId', 'must not be the user'),
  user_permission_overrides_user_key: () => conflict('The permission overrides were changed concurrently; retry.'),
  shifts_name_key: () => conflict('A shift with this name already exists.', [{ field: 'body.name', message: 'is already in use' }]),
  shifts_one_default: () =>
    conflict('Another shift was made the default concurrently; retry.', [{ field: 'body.isDefault', message: 'another shift became the default' }]),
  holidays_one_active_per_date: () =>
    conflict('An active holiday already exists on this date.', [{ field: 'body.date', message: 'already has an active holiday' }]),
  uq_attendance_one_open_correction_per_session: () =>
    conflict('This session already has an open correction; amend or cancel it first.', [{ field: 'path.sessionId', message: 'has an open correction' }]),
  uq_attendance_one_active_session_per_user: () => conflict('You are already checked in; check out first.'),
  uq_attendance_one_open_break_per_user: () => conflict('A break is already open; end it first.'),
  leave_requests_no_overlap: () =>
    conflict('The dates overlap an active leave or WFH request.', [{ field: 'body.startDate', message: 'overlaps an active leave or WFH request' }]),
};

interface PgLikeError {
  code?: string;
  constraint?: string;
  cause?: unknown;
}

function pgError(error: unknown): PgLikeError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const candidate = current as PgLikeError;
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate;
    current = candidate.cause;
  }
  return null;
}

/** Maps a database error to the client error it stands for, or null when it is a genuine failure. */
export function mapDatabaseError(error: unknown): AppError | null {
  const pg = pgError(error);
  if (!pg) return null;
  if (pg.constraint && CONSTRAINT_ERRORS[pg.constraint]) return CONSTRAINT_ERRORS[pg.constraint]!();
  switch (pg.code) {
    case '40001': // serialization_failure
    case '40P01': // deadlock_detected
    case '55P03': // lock_not_available
      return conflict('The resource was changed concurrently; retry the request.');
    case '23505': // unique_violation
    case '23P01': // exclusion_violation
      return conflict('The request conflicts with the current state.');
    default:
      return null;
  }
}

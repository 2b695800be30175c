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

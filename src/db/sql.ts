import { sql } from 'slonik';
import { z } from 'zod';

/** Row type of statements that return nothing (DML without RETURNING, LOCK, …): `sql.type(NoRows)`. */
export const NoRows = z.object({}).strict();

export { sql };

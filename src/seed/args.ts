import { DEFAULT_SEED_DAYS, MAX_SEED_DAYS, MIN_SEED_DAYS } from './attendance.ts';
import { DEFAULT_SEED_USERS, MAX_SEED_USERS, MIN_SEED_USERS } from './organization.ts';

export interface SeedArgs {
  users: number;
  /** Past work dates of attendance history (today excluded). */
  days: number;
}

export const SEED_USAGE =
  `usage: npm run seed -- [--users N] [--days D]   ` +
  `(N from ${MIN_SEED_USERS} to ${MAX_SEED_USERS}, default ${DEFAULT_SEED_USERS}; ` +
  `D days of attendance history from ${MIN_SEED_DAYS} to ${MAX_SEED_DAYS}, default ${DEFAULT_SEED_DAYS})`;

/** A whole number flag value within [min, max]. @throws Error with the usage line otherwise. */
function wholeNumber(flag: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new Error(`${flag} needs a whole number\n${SEED_USAGE}`);
  const n = Number(value);
  if (n < min || n > max) throw new Error(`${flag} must be from ${min} to ${max}\n${SEED_USAGE}`);
  return n;
}

/**
 * `--users N` / `--users=N` and `--days D` / `--days=D`. Later chapters add their own scale flags here.
 * @throws Error with the usage line for an unknown flag or a bad value.
 */
export function parseSeedArgs(argv: readonly string[]): SeedArgs {
  const args: SeedArgs = { users: DEFAULT_SEED_USERS, days: DEFAULT_SEED_DAYS };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    switch (flag) {
      case '--users':
        args.users = wholeNumber(flag, inline ?? argv[++i], MIN_SEED_USERS, MAX_SEED_USERS);
        break;
      case '--days':
        args.days = wholeNumber(flag, inline ?? argv[++i], MIN_SEED_DAYS, MAX_SEED_DAYS);
        break;
      default:
        throw new Error(`unknown argument ${flag}\n${SEED_USAGE}`);
    }
  }
  return args;
}

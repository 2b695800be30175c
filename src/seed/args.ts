import { DEFAULT_SEED_USERS, MAX_SEED_USERS, MIN_SEED_USERS } from './organization.ts';

export interface SeedArgs {
  users: number;
}

export const SEED_USAGE = `usage: npm run seed -- [--users N]   (N from ${MIN_SEED_USERS} to ${MAX_SEED_USERS}, default ${DEFAULT_SEED_USERS})`;

/**
 * `--users N` or `--users=N`. Later chapters add their own scale flags (e.g. `--days`) here.
 * @throws Error with the usage line for an unknown flag or a bad value.
 */
export function parseSeedArgs(argv: readonly string[]): SeedArgs {
  const args: SeedArgs = { users: DEFAULT_SEED_USERS };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = inline ?? argv[++i];
    switch (flag) {
      case '--users': {
        if (value === undefined || !/^\d+$/.test(value)) throw new Error(`--users needs a whole number\n${SEED_USAGE}`);
        const users = Number(value);
        if (users < MIN_SEED_USERS || users > MAX_SEED_USERS) throw new Error(`--users must be from ${MIN_SEED_USERS} to ${MAX_SEED_USERS}\n${SEED_USAGE}`);
        args.users = users;
        break;
      }
      default:
        throw new Error(`unknown argument ${flag}\n${SEED_USAGE}`);
    }
  }
  return args;
}

/**
 * The synthetic demo organization of `npm run seed` (05 §2): departments with heads and users in every role with a
 * reporting chain four levels deep (admin → manager → team lead → employee / junior / intern), plus a few
 * suspended, invited and inactive accounts. Deterministic (the same `--users` gives the same people) and idempotent
 * (fixed emails; rows that already exist are skipped, never changed). Synthetic data only.
 *
 * Every demo account with a password uses DEMO_PASSWORD; invited accounts have none (they activate by invitation).
 */
import { sql } from 'slonik';
import { z } from 'zod';
import { hashPassword } from '../auth/passwords.ts';
import { passwordPolicyViolation } from '../auth/password-policy.ts';
import type { Role } from '../auth/permissions.ts';
import type { Db, Queryable } from '../db/pool.ts';
import { NoRows } from '../db/sql.ts';

/** The one documented password of every seeded account (satisfies the 01 §3 policy). */
export const DEMO_PASSWORD = 'Workforce-Demo-2026!';
export const DEMO_EMAIL_DOMAIN = 'demo.workforce.local';
/** Below this the plan cannot hold every role, the full chain and the special statuses. */
export const MIN_SEED_USERS = 20;
export const MAX_SEED_USERS = 100_000;
export const DEFAULT_SEED_USERS = 40;

export const SEED_DEPARTMENTS = [
  { name: 'Engineering', description: 'Builds and runs the product.' },
  { name: 'Operations', description: 'Keeps the organization running day to day.' },
  { name: 'Sales', description: 'Finds and serves customers.' },
  { name: 'People', description: 'Hiring, onboarding and HR operations.' },
] as const;

type Status = 'active' | 'invited' | 'suspended' | 'inactive';

export interface SeedUser {
  email: string;
  fullName: string;
  role: Role;
  status: Status;
  managerEmail: string | null;
  departmentName: string | null;
  designation: string;
  /** 0 admin, 1 HR and managers, 2 team leads, 3 individual contributors: insertion order (managers first). */
  tier: 0 | 1 | 2 | 3;
}

const FIRST_NAMES = [
  'Amara', 'Bilal', 'Chen', 'Dalia', 'Emeka', 'Farah', 'Gustavo', 'Hana', 'Ibrahim', 'Jia', 'Kofi', 'Lena', 'Mateo',
  'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Usman', 'Vera', 'Wei', 'Ximena', 'Yusuf', 'Zara',
];
const LAST_NAMES = [
  'Abbasi', 'Brennan', 'Castillo', 'Dimitrov', 'Eze', 'Fischer', 'Gupta', 'Haddad', 'Ito', 'Jensen', 'Khan', 'Larsen',
  'Mensah', 'Novak', 'Okafor', 'Petrov', 'Qureshi', 'Rossi', 'Sato', 'Tanaka', 'Umar', 'Varga', 'Wong', 'Yilmaz',
];

/** Deterministic, varied names: index i always gives the same person. */
function personName(i: number): string {
  return `${FIRST_NAMES[i % FIRST_NAMES.length]} ${LAST_NAMES[(i * 7 + Math.floor(i / FIRST_NAMES.length)) % LAST_NAMES.length]}`;
}

const email = (local: string) => `${local}@${DEMO_EMAIL_DOMAIN}`;

/** Individual contributors cycle through these roles, so every role appears in the first six. */
const IC_ROLES: Role[] = ['employee', 'employee', 'junior_employee', 'employee', 'intern', 'employee'];
const IC_LOCAL: Partial<Record<Role, string>> = { employee: 'employee', junior_employee: 'junior', intern: 'intern' };
const IC_TITLE: Partial<Record<Role, string>> = { employee: 'Specialist', junior_employee: 'Junior Associate', intern: 'Intern' };

/** A few non-active accounts among the individual contributors (never the first of a role: those are the demo logins). */
function icStatus(i: number): Status {
  switch (i % 20) {
    case 1:
      return 'suspended';
    case 3:
      return 'invited';
    case 5:
      return 'inactive';
    default:
      return 'active';
  }
}

/**
 * The organization for `total` users, as data: 1 admin; HR = max(1, ⌊total/40⌋); managers = max(4, ⌊total/50⌉)
 * (the first four head the four departments); two team leads per manager; everyone else an individual contributor
 * under a team lead (every eighth directly under a manager).
 * @throws RangeError when `total` is outside MIN_SEED_USERS..MAX_SEED_USERS.
 */
export function planOrganization(total: number): SeedUser[] {
  if (!Number.isInteger(total) || total < MIN_SEED_USERS || total > MAX_SEED_USERS) {
    throw new RangeError(`users must be a whole number from ${MIN_SEED_USERS} to ${MAX_SEED_USERS}`);
  }
  const hrCount = Math.max(1, Math.floor(total / 40));
  const managerCount = Math.max(4, Math.round(total / 50));
  const leadCount = managerCount * 2;
  const icCount = total - 1 - hrCount - managerCount - leadCount;
  const people: SeedUser[] = [];
  let nameIndex = 0;
  const admin = email('admin1');
  people.push({ email: admin, fullName: personName(nameIndex++), role: 'admin', status: 'active', managerEmail: null, departmentName: null, designation: 'Administrator', tier: 0 });
  for (let h = 1; h <= hrCount; h++) {
    people.push({ email: email(`hr${h}`), fullName: personName(nameIndex++), role: 'hr_operations', status: 'active', managerEmail: admin, departmentName: 'People', designation: 'HR Partner', tier: 1 });
  }
  const managers: { email: string; department: string }[] = [];
  for (let m = 1; m <= managerCount; m++) {
    const department = SEED_DEPARTMENTS[(m - 1) % SEED_DEPARTMENTS.length]!.name;
    managers.push({ email: email(`manager${m}`), department });
    people.push({ email: email(`manager${m}`), fullName: personName(nameIndex++), role: 'manager', status: 'active', managerEmail: admin, departmentName: department, designation: `${department} Manager`, tier: 1 });
  }
  const leads: { email: string; department: string }[] = [];
  for (let l = 1; l <= leadCount; l++) {
    const manager = managers[(l - 1) % managerCount]!;
    leads.push({ email: email(`teamlead${l}`), department: manager.department });
    people.push({ email: email(`teamlead${l}`), fullName: personName(nameIndex++), role: 'team_lead', status: 'active', managerEmail: manager.email, departmentName: manager.department, designation: `${manager.department} Team Lead`, tier: 2 });
  }
  const perRole = new Map<Role, number>();
  for (let i = 0; i < icCount; i++) {
    const role = IC_ROLES[i % IC_ROLES.length]!;
    const n = (perRole.get(role) ?? 0) + 1;
    perRole.set(role, n);
    const boss = i % 8 === 7 ? managers[i % managerCount]! : leads[i % leadCount]!;
    people.push({
      email: email(`${IC_LOCAL[role]}${n}`),
      fullName: personName(nameIndex++),
      role,
      status: icStatus(i),
      managerEmail: boss.email,
      departmentName: boss.department,
      designation: IC_TITLE[role]!,
      tier: 3,
    });
  }
  return people;
}

export interface SeedResult {
  departments: { created: number; total: number };
  users: { created: number; planned: number };
  /** One active demo account per role, in rank order. */
  logins: { role: Role; email: string; fullName: string }[];
  password: string;
}

const Count = z.object({ count: z.number() });

async function insertUsers(tx: Queryable, people: SeedUser[], passwordHash: string, now: Date): Promise<number> {
  if (people.length === 0) return 0;
  const at = sql.timestamp(now);
  return tx.oneFirst(sql.type(Count)`
    WITH inserted AS (
      INSERT INTO users (email, full_name, role, status, status_changed_at, manager_id, department_id, designation,
                         password_hash, password_changed_at, created_at, updated_at)
      SELECT t.email, t.full_name, t.role::user_role, t.status::user_status, ${at}, m.id, d.id, t.designation,
             CASE WHEN t.status = 'invited' THEN NULL ELSE ${passwordHash} END,
             CASE WHEN t.status = 'invited' THEN NULL ELSE ${at} END, ${at}, ${at}
      FROM ${sql.unnest(
        people.map((p) => [p.email, p.fullName, p.role, p.status, p.managerEmail, p.departmentName, p.designation]),
        ['text', 'text', 'text', 'text', 'text', 'text', 'text'],
      )} AS t(email, full_name, role, status, manager_email, department_name, designation)
      LEFT JOIN users m ON m.email = t.manager_email
      LEFT JOIN departments d ON lower(d.name) = lower(t.department_name)
      ON CONFLICT DO NOTHING
      RETURNING 1
    )
    SELECT count(*)::int AS count FROM inserted`);
}

/**
 * Loads the plan for `options.users` people in one transaction of a few set-based statements. Existing rows (by
 * email, by department name) are skipped, so running it twice changes nothing the second time.
 * @throws RangeError for a user count outside MIN_SEED_USERS..MAX_SEED_USERS.
 */
export async function seedOrganization(db: Db, options: { users: number; now: Date }): Promise<SeedResult> {
  const people = planOrganization(options.users);
  const violation = passwordPolicyViolation(DEMO_PASSWORD, '');
  if (violation) throw new Error(`DEMO_PASSWORD ${violation}`);
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const at = sql.timestamp(options.now);
  const admin = people[0]!;

  return db.transaction(async (tx) => {
    let usersCreated = await insertUsers(tx, people.filter((p) => p.tier === 0), passwordHash, options.now);
    const departmentsCreated = await tx.oneFirst(sql.type(Count)`
      WITH inserted AS (
        INSERT INTO departments (name, description, created_by_id, updated_by_id, created_at, updated_at)
        SELECT t.name, t.description, a.id, a.id, ${at}, ${at}
        FROM ${sql.unnest(SEED_DEPARTMENTS.map((d) => [d.name, d.description]), ['text', 'text'])} AS t(name, description)
        LEFT JOIN users a ON a.email = ${admin.email}
        ON CONFLICT DO NOTHING
        RETURNING 1
      )
      SELECT count(*)::int AS count FROM inserted`);
    for (const tier of [1, 2, 3] as const) {
      usersCreated += await insertUsers(tx, people.filter((p) => p.tier === tier), passwordHash, options.now);
    }
    // The first manager of each department heads it, unless the department already has a head.
    const heads = SEED_DEPARTMENTS.map((d) => [d.name, people.find((p) => p.role === 'manager' && p.departmentName === d.name)!.email]);
    await tx.query(sql.type(NoRows)`
      UPDATE departments d SET head_user_id = u.id, updated_at = ${at}
      FROM ${sql.unnest(heads, ['text', 'text'])} AS t(name, email)
      JOIN users u ON u.email = t.email AND u.status = 'active'
      WHERE lower(d.name) = lower(t.name) AND d.head_user_id IS NULL`);

    const logins = (['admin', 'hr_operations', 'manager', 'team_lead', 'employee', 'junior_employee', 'intern'] as const).map((role) => {
      const person = people.find((p) => p.role === role && p.status === 'active')!;
      return { role, email: person.email, fullName: person.fullName };
    });
    return {
      departments: { created: departmentsCreated, total: SEED_DEPARTMENTS.length },
      users: { created: usersCreated, planned: people.length },
      logins,
      password: DEMO_PASSWORD,
    };
  });
}

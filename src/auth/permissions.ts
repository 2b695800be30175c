/**
 * The one role → permission matrix (01 §4.8). Code asks `can(actor, key)`; role names are compared nowhere else.
 * Synced exactly into `permissions` / `role_permissions` at startup (added and removed).
 */

export const ROLES = ['admin', 'hr_operations', 'manager', 'team_lead', 'employee', 'intern', 'junior_employee'] as const;
export type Role = (typeof ROLES)[number];

/** admin 7 > hr_operations 6 > manager 5 > team_lead 4 > employee 3 > junior_employee 2 > intern 1 (01 §4.2). */
export const ROLE_RANK: Record<Role, number> = {
  admin: 7,
  hr_operations: 6,
  manager: 5,
  team_lead: 4,
  employee: 3,
  junior_employee: 2,
  intern: 1,
};

/** Roles that may be someone's manager or a department head. */
export const MANAGEMENT_ROLES: ReadonlySet<Role> = new Set(['admin', 'hr_operations', 'manager', 'team_lead']);

/** Roles whose team set is the whole manager chain below them; everyone else sees direct reports only (01 §4.3). */
export const CHAIN_SCOPE_ROLES: ReadonlySet<Role> = new Set(['admin', 'hr_operations', 'manager']);

/** Who may create (and re-invite) which roles (01 §4.2). */
export const CREATABLE_ROLES: Partial<Record<Role, ReadonlySet<Role>>> = {
  admin: new Set(ROLES),
  hr_operations: new Set(['team_lead', 'employee', 'intern', 'junior_employee']),
};

/** Roles whose invited direct reports a manager may re-invite (U14). */
export const MANAGER_REINVITABLE_ROLES: ReadonlySet<Role> = new Set(['employee', 'intern', 'junior_employee']);

/** The role whose permission set is fixed (all keys, no overrides), and that acts on anyone but itself. */
export const SUPER_ROLE: Role = 'admin';

/** Keys that only an admin may grant through overrides (01 §3.2 U17). */
export const ADMIN_ONLY_GRANTS: ReadonlySet<string> = new Set(['permissions.manage', 'users.manage_roles']);

type Grant = 'A' | 'H' | 'M' | 'L' | 'E' | 'I' | 'J';
const ROLE_LETTER: Record<Grant, Role> = {
  A: 'admin',
  H: 'hr_operations',
  M: 'manager',
  L: 'team_lead',
  E: 'employee',
  I: 'intern',
  J: 'junior_employee',
};

const MATRIX: [key: string, roles: string, description: string][] = [
  ['users.view_all', 'AH', 'Read every user in the organization'],
  ['users.view_team', 'AHML', 'Read users in the caller\'s team set'],
  ['users.create', 'AH', 'Create and invite users'],
  ['users.edit', 'AH', 'Edit lower-ranked users\' records and send them password resets'],
  ['users.deactivate', 'AH', 'Deactivate and reactivate users'],
  ['users.suspend', 'A', 'Suspend and unsuspend users'],
  ['users.manage_roles', 'A', 'Change users\' roles'],
  ['users.resend_invitation', 'AHM', 'Resend account invitations'],
  ['permissions.manage', 'A', 'Read the permission catalogue and edit per-user overrides'],
  ['audit.view', 'A', 'Read and verify the audit log'],
  ['attendance.record_own', 'AHMLEIJ', 'Check in and out, take breaks, request own corrections'],
  ['attendance.view_own', 'AHMLEIJ', 'Read own attendance'],
  ['attendance.view_team', 'AHML', 'Read the team\'s attendance'],
  ['attendance.view_org', 'AH', 'Read the organization\'s attendance'],
  ['attendance.approve_correction', 'AHM', 'Approve or reject attendance corrections'],
  ['attendance.manage_exceptions', 'AHML', 'Resolve or dismiss attendance exceptions'],
  ['leave.apply', 'AHMLEIJ', 'Request leave and work from home'],
  ['leave.approve', 'AHM', 'Approve or reject leave requests'],
  ['leave.view_team', 'AHML', 'Read the team\'s leave requests'],
  ['leave.view_org', 'AH', 'Read the organization\'s leave requests'],
  ['projects.create', 'AHMLE', 'Create projects'],
  ['projects.approve', 'AHML', 'Approve or reject projects'],
  ['projects.view_all', 'AH', 'Read every project'],
  ['tasks.create_own', 'AHMLEIJ', 'Create tasks for oneself'],
  ['tasks.create_team', 'AML', 'Create tasks for team members'],
  ['tasks.manage', 'AML', 'Edit, re-status, archive and review tasks; moderate comments'],
  ['tasks.set_complexity', 'AM', 'Set task complexity'],
  ['tasks.complete_self', 'AHMLEJ', 'Complete own tasks without a completion request'],
  ['tasks.view_team', 'AHML', 'Read the team\'s tasks'],
  ['tasks.view_org', 'AH', 'Read every task'],
  ['timelogs.view_team', 'AHML', 'Read the team\'s time logs'],
  ['timelogs.view_org', 'AH', 'Read every time log'],
  ['timelogs.invalidate', 'AHM', 'Invalidate time logs'],
  ['reports.view_own', 'AHMLEIJ', 'Read own reports'],
  ['reports.view_team', 'AHML', 'Read the team\'s reports'],
  ['reports.view_org', 'AH', 'Read the organization\'s reports'],
  ['analytics.view_team', 'AHML', 'Read team analytics'],
  ['analytics.view_org', 'AH', 'Read organization analytics'],
  ['alerts.view_team', 'AHML', 'Read the team\'s alerts'],
  ['alerts.view_org', 'AH', 'Read every alert'],
  ['alerts.manage', 'AHML', 'Resolve or dismiss visible alerts'],
  ['announcements.create', 'AH', 'Create, edit, publish and archive announcements'],
  ['holidays.manage', 'AH', 'Manage holidays'],
  ['shifts.manage', 'AH', 'Manage shifts and assign them'],
  ['departments.manage', 'AH', 'Manage departments'],
];

const CATEGORY_BY_PREFIX: Record<string, string> = {
  users: 'User Management',
  attendance: 'Attendance',
  leave: 'Leave',
  projects: 'Projects & Tasks',
  tasks: 'Projects & Tasks',
  timelogs: 'Projects & Tasks',
  reports: 'Analytics & Reports',
  analytics: 'Analytics & Reports',
  alerts: 'Analytics & Reports',
  announcements: 'Organization',
  holidays: 'Organization',
  shifts: 'Organization',
  departments: 'Organization',
  audit: 'System',
  permissions: 'System',
};

export interface PermissionDefinition {
  key: string;
  description: string;
  category: string;
  defaultRoles: Role[];
}

export const PERMISSIONS: readonly PermissionDefinition[] = MATRIX.map(([key, letters, description]) => ({
  key,
  description,
  category: CATEGORY_BY_PREFIX[key.split('.')[0]!]!,
  defaultRoles: ROLES.filter((role) => [...letters].some((l) => ROLE_LETTER[l as Grant] === role)),
})).sort((a, b) => a.key.localeCompare(b.key));

export const PERMISSION_KEYS: ReadonlySet<string> = new Set(PERMISSIONS.map((p) => p.key));
export type PermissionKey = string;

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<string>> = Object.fromEntries(
  ROLES.map((role) => [role, new Set(PERMISSIONS.filter((p) => p.defaultRoles.includes(role)).map((p) => p.key))]),
) as unknown as Record<Role, ReadonlySet<string>>;

/** Effective permissions = role keys ∪ grants − denies; the super role's set is fixed. */
export function effectivePermissions(role: Role, grants: readonly string[], denies: readonly string[]): Set<string> {
  if (role === SUPER_ROLE) return new Set(PERMISSION_KEYS);
  const set = new Set(ROLE_PERMISSIONS[role]);
  for (const key of grants) if (PERMISSION_KEYS.has(key)) set.add(key);
  for (const key of denies) set.delete(key);
  return set;
}

export const isManagementRole = (role: Role) => MANAGEMENT_ROLES.has(role);
export const outranks = (a: Role, b: Role) => ROLE_RANK[a] > ROLE_RANK[b];

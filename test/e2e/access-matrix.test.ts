/**
 * Route × role matrix, generated from the contract (01 §4.8, §3.4 order of checks): every operation is called
 * without a token and as each of the seven roles, with an unknown query parameter as a probe. Authentication
 * (401) and the route permission key (403) are checked before request validation, so a role that may call the
 * operation gets 422 naming the probe, and one that may not gets 403.
 *
 * The expected keys below are written from the spec, independently of the contract, so a contract that declares
 * the wrong key fails here; an operation missing from the table fails too (every new operation joins the matrix).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { ROLE_PERMISSIONS, ROLES, type Role } from '../../src/auth/permissions.ts';
import { listOperations, loadBundledSpec, toRuntimeSpec, type OperationInfo } from '../../src/http/operations.ts';
import { createOrg, createUser, signIn, type FixtureUser, type Org, type Session } from '../helpers/fixtures.ts';
import { startTestApp, type TestApp } from '../helpers/harness.ts';

type Access = 'public' | 'optional' | 'authenticated' | { anyOf: string[] };
const any = (...keys: string[]): Access => ({ anyOf: keys });

/** operationId → who may call it, per the spec chapters. */
const EXPECTED: Record<string, Access> = {
  // Platform (01 §3.4)
  getRoot: 'public',
  getHealth: 'public',
  getReadiness: 'public',
  getDocs: 'public',
  getOpenApi: 'public',
  // Authentication (01 §3.1)
  loginUser: 'public',
  refreshSession: 'public',
  logoutUser: 'optional',
  requestPasswordReset: 'public',
  resetPassword: 'public',
  activateAccount: 'public',
  getMyPermissions: 'authenticated',
  issueWsTicket: 'authenticated',
  changeMyPassword: 'authenticated',
  // Users (01 §3.2)
  listUsers: 'authenticated',
  createUser: any('users.create'),
  getMe: 'authenticated',
  updateMyProfile: 'authenticated',
  listMyTeam: 'authenticated',
  listDirectory: 'authenticated',
  getUser: 'authenticated',
  updateUser: 'authenticated',
  changeUserRole: any('users.manage_roles'),
  changeUserStatus: any('users.suspend', 'users.deactivate'),
  suspendUser: any('users.suspend'),
  reactivateUser: any('users.suspend', 'users.deactivate'),
  deactivateUser: any('users.deactivate'),
  resendInvitation: any('users.resend_invitation'),
  sendPasswordResetLink: any('users.edit'),
  getUserPermissions: any('permissions.manage'),
  updateUserPermissionOverrides: any('permissions.manage'),
  // Permissions catalogue (01 §3.3)
  listPermissions: any('permissions.manage'),
  getRolePermissions: any('permissions.manage'),
  // Departments (04 §3.4)
  listDepartments: 'authenticated',
  getDepartment: 'authenticated',
  createDepartment: any('departments.manage'),
  updateDepartment: any('departments.manage'),
  deactivateDepartment: any('departments.manage'),
  listDepartmentMembers: 'authenticated',
  // Audit log (04 §3.7)
  listAuditLogs: any('audit.view'),
  getAuditLog: any('audit.view'),
  verifyAuditChain: any('audit.view'),
  // Attendance sessions, views and breaks (02 §3.1–§3.3)
  checkIn: any('attendance.record_own'),
  checkOut: any('attendance.record_own'),
  getActiveSession: any('attendance.view_own'),
  getMyToday: any('attendance.view_own'),
  listMySessions: any('attendance.view_own'),
  listTeamSessions: any('attendance.view_team', 'attendance.view_org'),
  listUserSessions: any('attendance.view_own', 'attendance.view_team', 'attendance.view_org'),
  getSession: any('attendance.view_own', 'attendance.view_team', 'attendance.view_org'),
  listAttendanceRoster: any('attendance.view_team', 'attendance.view_org'),
  startBreak: any('attendance.record_own'),
  endBreak: any('attendance.record_own'),
  getCurrentBreak: any('attendance.view_own'),
  listSessionBreaks: any('attendance.view_own', 'attendance.view_team', 'attendance.view_org'),
  // Corrections and exceptions (02 §3.4, §3.5)
  createCorrection: any('attendance.record_own'),
  listCorrections: any('attendance.view_own', 'attendance.view_team', 'attendance.view_org'),
  getCorrection: any('attendance.view_own', 'attendance.view_team', 'attendance.view_org'),
  updateCorrection: any('attendance.record_own'),
  approveCorrection: any('attendance.approve_correction'),
  rejectCorrection: any('attendance.approve_correction'),
  requestCorrectionClarification: any('attendance.approve_correction'),
  cancelCorrection: any('attendance.record_own'),
  listAttendanceExceptions: any('attendance.view_own', 'attendance.view_team', 'attendance.view_org'),
  resolveAttendanceException: any('attendance.manage_exceptions'),
  dismissAttendanceException: any('attendance.manage_exceptions'),
  // Shifts and holidays (02 §3.6, §3.7)
  createShift: any('shifts.manage'),
  listShifts: 'authenticated',
  getShift: 'authenticated',
  updateShift: any('shifts.manage'),
  deactivateShift: any('shifts.manage'),
  listShiftEmployees: any('shifts.manage', 'attendance.view_org'),
  assignShift: any('shifts.manage'),
  createHoliday: any('holidays.manage'),
  listHolidays: 'authenticated',
  listUpcomingHolidays: 'authenticated',
  getHoliday: 'authenticated',
  updateHoliday: any('holidays.manage'),
  deactivateHoliday: any('holidays.manage'),
  // Leaves & WFH (03 §3.1)
  submitLeaveRequest: any('leave.apply'),
  listMyLeaveRequests: 'authenticated',
  listPendingLeaveApprovals: any('leave.approve'),
  listLeaveRequests: any('leave.view_team', 'leave.view_org'),
  getLeaveRequest: 'authenticated',
  amendLeaveRequest: 'authenticated',
  resolveLeaveRequest: 'authenticated',
  cancelLeaveRequest: 'authenticated',
  getLeaveTimeline: 'authenticated',
  // Approvals inbox (04 §3.1)
  listMyPendingApprovals: 'authenticated',
};

function mayCall(access: Access, role: Role): boolean {
  if (typeof access === 'string') return true;
  return access.anyOf.some((key) => ROLE_PERMISSIONS[role].has(key));
}

/** The concrete URL of an operation with random UUIDs in its path and the probe in its query. */
function probeUrl(base: string, op: OperationInfo): string {
  const path = op.path.replace(/\{[^}]+\}/g, () => randomUUID());
  return `${base}${path}?matrixProbe=1`;
}

describe('access matrix (route × role, generated from the contract)', function () {
  this.timeout(120_000);
  let app: TestApp;
  const sessions = new Map<Role, Session>();
  const operations = listOperations(toRuntimeSpec(loadBundledSpec()));

  before(async () => {
    app = await startTestApp();
    for (const role of ROLES) sessions.set(role, await signIn(app, await createUser(app, { role })));
  });
  after(() => app.close());

  it('has an expectation for every operation in the contract, and no stale ones', () => {
    const ids = operations.map((o) => o.operationId).sort();
    expect(ids.filter((id) => !(id in EXPECTED)), 'operations missing from the matrix').to.deep.equal([]);
    expect(Object.keys(EXPECTED).filter((id) => !ids.includes(id)), 'matrix rows without an operation').to.deep.equal([]);
  });

  it('declares in the contract exactly the keys the spec gives', () => {
    for (const op of operations) {
      const access = EXPECTED[op.operationId];
      if (access === undefined) continue;
      const declared = op.security;
      if (access === 'public') {
        expect(declared, op.operationId).to.deep.equal([]);
      } else if (access === 'optional') {
        expect(declared, op.operationId).to.deep.equal([[]]);
        expect(op.optionalAuth, op.operationId).to.equal(true);
      } else if (access === 'authenticated') {
        expect(declared, op.operationId).to.deep.equal([[]]);
      } else {
        expect(declared.map((s) => s.join('+')).sort(), op.operationId).to.deep.equal([...access.anyOf].sort());
      }
    }
  });

  for (const op of listOperations(toRuntimeSpec(loadBundledSpec()))) {
    const access = EXPECTED[op.operationId];
    if (access === undefined) continue;
    const isProtected = access !== 'public' && access !== 'optional';

    it(`${op.operationId} (${op.method} ${op.path})`, async () => {
      const call = (token?: string) =>
        fetch(probeUrl(app.url, op), {
          method: op.method,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(op.hasJsonBody ? { 'content-type': 'application/json' } : {}) },
          body: op.hasJsonBody ? '{}' : undefined,
        });

      const anonymous = await call();
      const anonymousBody = (await anonymous.json()) as { error: { code: string; details: { field: string }[] } };
      if (isProtected) {
        expect(anonymous.status, 'without a token').to.equal(401);
        expect(anonymousBody.error.code).to.equal('AUTH_ERROR');
        expect(anonymous.headers.get('www-authenticate')).to.equal('Bearer');
      } else {
        expect(anonymous.status, 'public operation without a token').to.equal(422);
        expect(anonymousBody.error.details.map((d) => d.field)).to.include('query.matrixProbe');
      }

      for (const role of ROLES) {
        const response = await call(sessions.get(role)!.accessToken);
        const body = (await response.json()) as { error: { code: string; details: { field: string }[] } };
        if (mayCall(access, role)) {
          expect(response.status, `${role} may call ${op.operationId}`).to.equal(422);
          expect(body.error.details.map((d) => d.field), role).to.include('query.matrixProbe');
        } else {
          expect(response.status, `${role} may not call ${op.operationId}`).to.equal(403);
          expect(body.error.code).to.equal('PERMISSION_ERROR');
        }
      }
    });
  }
});

/**
 * Data scope (01 §4.3) for every operation with a `{userId}` in its path: as each role that may call it, against
 * the caller, a direct report, an indirect report, a peer and another team's user. Out of scope → 404 with the
 * body of an unknown id; in scope → anything but 404. Requests are chosen so that in-scope calls change nothing
 * (no-op bodies that end in 200/403/409).
 */
describe('access matrix (user-id routes × role × scope, 01 §4.3)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let org: Org;
  const operations = listOperations(toRuntimeSpec(loadBundledSpec())).filter((o) => o.path.includes('{userId}'));

  /** Harmless requests per operation; an operation not listed here fails the first test (add it). */
  const REQUESTS: Record<string, (target: FixtureUser) => { body?: unknown }> = {
    getUser: () => ({}),
    updateUser: () => ({ body: {} }),
    changeUserRole: (t) => ({ body: { role: t.role } }),
    changeUserStatus: () => ({ body: { status: 'active' } }),
    reactivateUser: () => ({}),
    resendInvitation: () => ({}),
    sendPasswordResetLink: () => ({}),
    getUserPermissions: () => ({}),
    updateUserPermissionOverrides: () => ({ body: { grants: [], denies: [] } }),
    listUserSessions: () => ({}),
    assignShift: () => ({ body: { shiftId: null } }),
    // Would change the target's status when in scope; their scope is covered by the unknown-id check below.
    suspendUser: () => ({}),
    deactivateUser: () => ({}),
  };
  const MUTATING = new Set(['suspendUser', 'deactivateUser']);

  before(async () => {
    app = await startTestApp();
    org = await createOrg(app);
  });
  after(() => app.close());

  /** 01 §4.3 with the org of createOrg: manager ← teamLead ← employee; manager ← employee2; otherManager ← outsider. */
  function visible(caller: FixtureUser, target: FixtureUser): boolean {
    if (caller.id === target.id) return true;
    switch (caller.role) {
      case 'admin':
      case 'hr_operations':
        return true;
      case 'manager':
        return [org.teamLead.id, org.employee.id, org.intern.id, org.junior.id, org.employee2.id].includes(target.id) && caller.id === org.manager.id;
      case 'team_lead':
        return [org.employee.id, org.intern.id, org.junior.id].includes(target.id) && caller.id === org.teamLead.id;
      default:
        return false;
    }
  }

  it('has a harmless request for every user-id operation', () => {
    expect(operations.map((o) => o.operationId).filter((id) => !(id in REQUESTS))).to.deep.equal([]);
  });

  for (const op of operations) {
    it(`${op.operationId} (${op.method} ${op.path})`, async () => {
      const access = EXPECTED[op.operationId]!;
      const callers = [org.admin, org.hr, org.manager, org.teamLead, org.employee, org.intern, org.junior].filter((c) => mayCall(access, c.role));
      const targets = [org.employee, org.teamLead, org.employee2, org.outsider];
      const call = async (session: Session, userId: string, target: FixtureUser) => {
        const { body } = REQUESTS[op.operationId]!(target);
        const url = `${app.url}${op.path.replace('{userId}', userId)}`;
        const response = await fetch(url, {
          method: op.method,
          headers: { authorization: `Bearer ${session.accessToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: body !== undefined ? JSON.stringify(body) : undefined,
        });
        return { status: response.status, body: (await response.json().catch(() => null)) as { error?: { code: string; message: string; details: unknown[] } } | null };
      };
      for (const caller of callers) {
        const session = await signIn(app, caller);
        const unknown = await call(session, randomUUID(), org.employee);
        expect(unknown.status, `${caller.role} → unknown id`).to.equal(404);
        expect(unknown.body!.error!.code).to.equal('NOT_FOUND');
        if (MUTATING.has(op.operationId)) continue;
        for (const target of [caller, ...targets]) {
          const result = await call(session, target.id, target);
          if (visible(caller, target)) {
            expect(result.status, `${caller.role} → ${target.role} ${target.fullName} is in scope`).to.not.equal(404);
          } else {
            expect(result.status, `${caller.role} → ${target.role} ${target.fullName} is out of scope`).to.equal(404);
            const { requestId: _a, ...outOfScope } = result.body!.error! as Record<string, unknown>;
            const { requestId: _b, ...unknownBody } = unknown.body!.error! as Record<string, unknown>;
            expect(outOfScope, 'identical to an unknown id').to.deep.equal(unknownBody);
          }
        }
      }
    });
  }
});

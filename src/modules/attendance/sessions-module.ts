/**
 * The attendance sessions feature as the composition root sees it (02 §3.1–§3.3): the lifecycle and view services,
 * their handlers, and the account-suspension hook for the users module.
 */
import type { Db } from '../../db/pool.ts';
import type { Clock } from '../../lib/clock.ts';
import type { SessionSettings } from './session-close.ts';
import { sessionHandlers } from './sessions-handlers.ts';
import { createSessionsService } from './sessions-service.ts';
import { viewHandlers } from './views-handlers.ts';
import { createViewsService } from './views-service.ts';

export function createAttendanceSessions(deps: { db: Db; clock: Clock; config: SessionSettings }) {
  const sessions = createSessionsService(deps);
  return { sessions, views: createViewsService(deps), closeActiveSessionForAccount: sessions.closeActiveSessionForAccount };
}
export type AttendanceSessions = ReturnType<typeof createAttendanceSessions>;

export function attendanceSessionHandlers(module: AttendanceSessions) {
  return { ...sessionHandlers(module.sessions), ...viewHandlers(module.views) };
}

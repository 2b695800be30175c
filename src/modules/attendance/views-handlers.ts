import type { Handlers } from '../../http/registry.ts';
import type { ViewsService } from './views-service.ts';

type ViewOps =
  | 'getMyToday'
  | 'listMySessions'
  | 'listTeamSessions'
  | 'listUserSessions'
  | 'getSession'
  | 'listSessionBreaks'
  | 'listAttendanceRoster';

export function viewHandlers(views: ViewsService): Handlers<ViewOps> {
  return {
    getMyToday: async ({ actor }) => ({ status: 200, body: await views.getMyToday(actor) }),
    listMySessions: async ({ actor, query }) => ({ status: 200, body: await views.listMine(actor, query) }),
    listTeamSessions: async ({ actor, query }) => ({ status: 200, body: await views.listTeam(actor, query) }),
    listUserSessions: async ({ actor, params, query }) => ({ status: 200, body: await views.listForUser(actor, params.userId, query) }),
    getSession: async ({ actor, params }) => ({ status: 200, body: await views.get(actor, params.sessionId) }),
    listSessionBreaks: async ({ actor, params, query }) => ({ status: 200, body: await views.listBreaks(actor, params.sessionId, query) }),
    listAttendanceRoster: async ({ actor, query }) => ({ status: 200, body: await views.roster(actor, query) }),
  };
}

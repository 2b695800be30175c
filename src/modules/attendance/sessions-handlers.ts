import type { Handlers } from '../../http/registry.ts';
import type { SessionsService } from './sessions-service.ts';

type SessionOps = 'checkIn' | 'checkOut' | 'getActiveSession' | 'startBreak' | 'endBreak' | 'getCurrentBreak';

export function sessionHandlers(sessions: SessionsService): Handlers<SessionOps> {
  return {
    checkIn: async ({ actor, body }) => ({ status: 201, body: await sessions.checkIn(actor, body) }),
    checkOut: async ({ actor, body }) => ({ status: 200, body: await sessions.checkOut(actor, body) }),
    getActiveSession: async ({ actor }) => ({ status: 200, body: await sessions.getActive(actor) }),
    startBreak: async ({ actor, body }) => ({ status: 201, body: await sessions.startBreak(actor, body) }),
    endBreak: async ({ actor }) => ({ status: 200, body: await sessions.endBreak(actor) }),
    getCurrentBreak: async ({ actor }) => ({ status: 200, body: await sessions.getCurrentBreak(actor) }),
  };
}

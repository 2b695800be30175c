import type { Handlers } from '../../http/registry.ts';
import type { ShiftsService } from './service.ts';

type ShiftOps = 'listShifts' | 'getShift' | 'createShift' | 'updateShift' | 'deactivateShift' | 'listShiftEmployees' | 'assignShift';

export function shiftHandlers(shifts: ShiftsService): Handlers<ShiftOps> {
  return {
    listShifts: async ({ query }) => ({ status: 200, body: await shifts.list(query) }),
    getShift: async ({ params }) => ({ status: 200, body: await shifts.get(params.shiftId) }),
    createShift: async ({ actor, body, meta }) => ({ status: 201, body: await shifts.create(actor, body, meta) }),
    updateShift: async ({ actor, params, body, meta }) => ({ status: 200, body: await shifts.update(actor, params.shiftId, body, meta) }),
    deactivateShift: async ({ actor, params, meta }) => ({ status: 200, body: await shifts.deactivate(actor, params.shiftId, meta) }),
    listShiftEmployees: async ({ params, query }) => ({ status: 200, body: await shifts.listEmployees(params.shiftId, query) }),
    assignShift: async ({ actor, params, body, meta }) => ({ status: 200, body: await shifts.assign(actor, params.userId, body, meta) }),
  };
}

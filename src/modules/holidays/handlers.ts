import type { Handlers } from '../../http/registry.ts';
import type { HolidaysService } from './service.ts';

type HolidayOps = 'listHolidays' | 'listUpcomingHolidays' | 'getHoliday' | 'createHoliday' | 'updateHoliday' | 'deactivateHoliday';

export function holidayHandlers(holidays: HolidaysService): Handlers<HolidayOps> {
  return {
    listHolidays: async ({ query }) => ({ status: 200, body: await holidays.list(query) }),
    listUpcomingHolidays: async ({ query }) => ({ status: 200, body: await holidays.listUpcoming(query) }),
    getHoliday: async ({ params }) => ({ status: 200, body: await holidays.get(params.holidayId) }),
    createHoliday: async ({ actor, body, meta }) => ({ status: 201, body: await holidays.create(actor, body, meta) }),
    updateHoliday: async ({ actor, params, body, meta }) => ({ status: 200, body: await holidays.update(actor, params.holidayId, body, meta) }),
    deactivateHoliday: async ({ actor, params, meta }) => ({ status: 200, body: await holidays.deactivate(actor, params.holidayId, meta) }),
  };
}

import type { components } from '../../../generated/sdk/src/schema.ts';
import type { HolidayRow } from './queries.ts';

export type HolidayDto = components['schemas']['Holiday'];

export function toHolidayDto(row: HolidayRow): HolidayDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    date: row.date,
    isActive: row.isActive,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

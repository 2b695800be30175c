import type { components } from '../../../generated/sdk/src/schema.ts';
import { minutesOf } from '../../lib/zoned-time.ts';
import type { ShiftEmployeeRow, ShiftRow } from './queries.ts';

export type ShiftDto = components['schemas']['Shift'];
export type ShiftEmployeeDto = components['schemas']['ShiftEmployee'];
export type ShiftAssignmentDto = components['schemas']['ShiftAssignment'];

const DAY_MINUTES = 24 * 60;

/** (end − start) mod 1440: the length of the window, across midnight for an overnight shift (02 §3.6). */
export function shiftDurationMinutes(startTime: string, endTime: string): number {
  return (((minutesOf(endTime) - minutesOf(startTime)) % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
}

/** Overnight: the end is earlier in the day than the start (equal times are invalid, 02 §4.2). */
export function isOvernightShift(startTime: string, endTime: string): boolean {
  return minutesOf(endTime) < minutesOf(startTime);
}

export function toShiftDto(row: ShiftRow): ShiftDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    startTime: row.startTime,
    endTime: row.endTime,
    timezone: row.timezone,
    gracePeriodMinutes: row.gracePeriodMinutes,
    workingDays: [...row.workingDays].sort((a, b) => a - b),
    isActive: row.isActive,
    isDefault: row.isDefault,
    isOvernight: isOvernightShift(row.startTime, row.endTime),
    durationMinutes: shiftDurationMinutes(row.startTime, row.endTime),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toShiftEmployeeDto(row: ShiftEmployeeRow): ShiftEmployeeDto {
  return {
    id: row.id,
    fullName: row.fullName,
    email: row.email,
    role: row.role,
    status: row.status,
    departmentId: row.departmentId,
    departmentName: row.departmentName,
  };
}

/** Row → wire object for the users module (01 §3 shared shapes). Instants become ISO strings here and nowhere else. */
import type { components } from '../../../generated/sdk/src/schema.ts';
import type { DirectoryRow, UserRow } from './queries.ts';

export type UserDto = components['schemas']['User'];
export type DirectoryEntryDto = components['schemas']['DirectoryEntry'];

/** What the viewer may see beyond the plain record: `statusReason` and directory emails need `users.view_all`. */
export interface Visibility {
  orgWide: boolean;
}

export function toUserDto(row: UserRow, visibility: Visibility): UserDto {
  return {
    id: row.id,
    email: row.email,
    fullName: row.fullName,
    phone: row.phone,
    role: row.role,
    status: row.status,
    statusReason: visibility.orgWide ? row.statusReason : null,
    departmentId: row.departmentId,
    departmentName: row.departmentName,
    designation: row.designation,
    managerId: row.managerId,
    managerName: row.managerName,
    shiftId: row.shiftId,
    shiftName: row.shiftName,
    avatarUrl: row.avatarUrl,
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toDirectoryEntryDto(row: DirectoryRow, visibility: Visibility): DirectoryEntryDto {
  return {
    id: row.id,
    fullName: row.fullName,
    role: row.role,
    departmentName: row.departmentName,
    designation: row.designation,
    avatarUrl: row.avatarUrl,
    email: visibility.orgWide ? row.email : null,
  };
}

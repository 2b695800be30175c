import type { components } from '../../../generated/sdk/src/schema.ts';
import type { DepartmentRow, MemberRow } from './queries.ts';

export type DepartmentDto = components['schemas']['Department'];
export type DepartmentMemberDto = components['schemas']['DepartmentMember'];

export function toDepartmentDto(row: DepartmentRow): DepartmentDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    headUserId: row.headUserId,
    headName: row.headName,
    isActive: row.isActive,
    memberCount: row.memberCount,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** `status` only for callers who may see members of every status (04 §3.4); never email or phone. */
export function toDepartmentMemberDto(row: MemberRow, withStatus: boolean): DepartmentMemberDto {
  return {
    id: row.id,
    fullName: row.fullName,
    role: row.role,
    designation: row.designation,
    managerName: row.managerName,
    shiftName: row.shiftName,
    ...(withStatus ? { status: row.status } : {}),
  };
}

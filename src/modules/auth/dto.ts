import type { components } from '../../../generated/sdk/src/schema.ts';
import type { LoginUserRow } from './queries.ts';

type UserSummary = components['schemas']['UserSummary'];
type TokenPair = components['schemas']['TokenPair'];

export function toUserSummary(row: LoginUserRow): UserSummary {
  return {
    id: row.id,
    email: row.email,
    fullName: row.fullName,
    role: row.role,
    status: row.status,
    departmentId: row.departmentId,
    departmentName: row.departmentName,
    designation: row.designation,
    managerId: row.managerId,
    avatarUrl: row.avatarUrl,
  };
}

export function toTokenPair(accessToken: string, refreshToken: string, expiresInSeconds: number): TokenPair {
  return { accessToken, refreshToken, tokenType: 'bearer', expiresInSeconds };
}

import { hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id` (a const enum the library only declares, so its value is written here). */
const ARGON2ID = 2;

/** argon2id, m = 19 456 KiB, t = 2, p = 1 (OWASP minimum; 01 §3). No other algorithm, so nothing truncates at 72 bytes. */
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

/** Constant work whatever the outcome; a malformed hash verifies as false. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | null = null;
/** Burns one verification against a fixed hash so unknown emails take as long as wrong passwords (01 §5 row 2). */
export async function verifyDummyPassword(password: string): Promise<void> {
  dummy ??= hashPassword('dummy-password-for-timing-equalisation');
  await verifyPassword(await dummy, password);
}

/** The password policy of 01 §3, applied everywhere a password is set. Never trims or case-folds. */

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

const BLOCKLIST = new Set([
  'password',
  'password1',
  '12345678',
  '123456789',
  'qwerty123',
  'iloveyou',
  'admin123',
  'welcome1',
  'changeme',
  'change-this-password',
  'letmein1',
]);

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Returns the reason the password is refused, or null when it satisfies the policy. */
export function passwordPolicyViolation(password: string, email: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (password.trim() === '') return 'must not be only whitespace';
  if (CONTROL_CHARS.test(password)) return 'must not contain control characters';
  const lower = password.toLowerCase();
  const normalizedEmail = email.trim().toLowerCase();
  const localPart = normalizedEmail.split('@')[0] ?? '';
  if (normalizedEmail !== '' && (lower === normalizedEmail || lower === localPart)) return 'must not equal your email address';
  if (BLOCKLIST.has(lower)) return 'is too common';
  return null;
}

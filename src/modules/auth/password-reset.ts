/** The password-reset link shared by A4 (forgot password) and U15 (sent by an administrator). */
import { issueAccountToken } from '../../auth/account-tokens.ts';
import type { Config } from '../../config.ts';
import type { Queryable } from '../../db/pool.ts';
import { enqueueEmail, type EmailDisposition } from '../../email/outbox.ts';
import { passwordResetEmail } from '../../email/templates.ts';

/**
 * Issues a new reset token (older ones invalidated) and queues its email, in the caller's transaction.
 * @returns the raw token (for `debugToken` outside production) and what became of the email.
 */
export async function sendPasswordResetLink(
  tx: Queryable,
  config: Config,
  user: { id: string; email: string; fullName: string },
  requestedIp: string,
  now: Date,
): Promise<{ token: string; disposition: EmailDisposition }> {
  const token = await issueAccountToken(tx, 'password_reset', user.id, now, config.passwordResetTtlMinutes * 60_000, {
    requestedIp: requestedIp.slice(0, 64),
  });
  const link = `${config.frontendBaseUrl ?? ''}/reset-password?token=${encodeURIComponent(token)}`;
  const email = passwordResetEmail({ fullName: user.fullName, link, expiresInMinutes: config.passwordResetTtlMinutes });
  return { token, disposition: await enqueueEmail(tx, user.email, email, config.smtp.host !== null) };
}

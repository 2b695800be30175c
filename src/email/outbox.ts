import { sql } from 'slonik';
import type { Queryable } from '../db/pool.ts';
import { NoRows } from '../db/sql.ts';
import type { RenderedEmail } from './templates.ts';

/** What a response says about an email: queued for delivery, or not sent because SMTP is not configured. */
export type EmailDisposition = 'queued' | 'disabled';

/**
 * Writes the email to the outbox in the caller's transaction (05 §7); the email-delivery job sends it after commit.
 * With SMTP disabled the row is recorded as `disabled` (nothing is ever sent).
 */
export async function enqueueEmail(tx: Queryable, to: string, email: RenderedEmail, smtpEnabled: boolean): Promise<EmailDisposition> {
  const status = smtpEnabled ? 'pending' : 'disabled';
  await tx.query(sql.type(NoRows)`
    INSERT INTO email_outbox (template, to_email, subject, text_body, html_body, status)
    VALUES (${email.template}, ${to}, ${email.subject}, ${email.text}, ${email.html}, ${status})`);
  return smtpEnabled ? 'queued' : 'disabled';
}

import nodemailer from 'nodemailer';
import { sql } from 'slonik';
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { Db } from '../db/pool.ts';
import { NoRows } from '../db/sql.ts';
import type { Job } from './scheduler.ts';

/** Retry after 1, 5 and 30 minutes, then the email is `failed` for good (05 §7: never retried forever). */
const BACKOFF_MINUTES = [1, 5, 30];
const BATCH = 50;

const Due = z.object({ id: z.string(), toEmail: z.string(), subject: z.string(), textBody: z.string(), htmlBody: z.string(), attempts: z.number() });

export interface MailTransport {
  sendMail(message: { from: string; to: string; subject: string; text: string; html: string }): Promise<unknown>;
}

export function smtpTransport(smtp: Config['smtp']): MailTransport | null {
  if (!smtp.host) return null;
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.port === 465,
    requireTLS: smtp.tls && smtp.port !== 465,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
  });
}

/** `email-delivery`: sends due outbox rows (claimed with SKIP LOCKED), records sent / retry / failed. */
export function emailDeliveryJob(db: Db, smtp: Config['smtp'], transport: MailTransport | null = smtpTransport(smtp)): Job {
  const from = `"${smtp.fromName.replace(/"/g, '')}" <${smtp.fromEmail}>`;
  return {
    name: 'email-delivery',
    async run({ now, logger }) {
      if (!transport) return { sent: 0, failed: 0 };
      let sent = 0;
      let failed = 0;
      await db.transaction(async (tx) => {
        const due = await tx.any(sql.type(Due)`
          SELECT id, to_email, subject, text_body, html_body, attempts FROM email_outbox
          WHERE status = 'pending' AND next_attempt_at <= ${sql.timestamp(now)}
          ORDER BY next_attempt_at, id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`);
        for (const email of due) {
          try {
            await transport.sendMail({ from, to: email.toEmail, subject: email.subject, text: email.textBody, html: email.htmlBody });
            await tx.query(sql.type(NoRows)`
              UPDATE email_outbox SET status = 'sent', sent_at = ${sql.timestamp(now)}, attempts = attempts + 1, last_error = NULL WHERE id = ${email.id}`);
            sent++;
          } catch (error) {
            const attempts = email.attempts + 1;
            const delay = BACKOFF_MINUTES[attempts - 1];
            // The SMTP error class only: its text may echo the message, which carries a token.
            const reason = (error as { code?: string }).code ?? (error as Error).name ?? 'Error';
            logger.warn({ emailId: email.id, attempts, reason }, 'email delivery failed');
            await tx.query(sql.type(NoRows)`
              UPDATE email_outbox SET attempts = ${attempts}, last_error = ${reason.slice(0, 500)},
                status = ${delay === undefined ? 'failed' : 'pending'},
                next_attempt_at = ${sql.timestamp(new Date(now.getTime() + (delay ?? 0) * 60_000))}
              WHERE id = ${email.id}`);
            failed++;
          }
        }
      });
      return { sent, failed };
    },
  };
}

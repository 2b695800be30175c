import { sql, type QuerySqlToken } from 'slonik';
import { z } from 'zod';
import type { Db } from '../db/pool.ts';
import type { Job } from './scheduler.ts';

const Count = z.object({ count: z.number() });
const DAY = 24 * 60 * 60 * 1000;

/**
 * `purge` (05 §6): expired refresh/reset/invitation tokens, WS tickets an hour past expiry, rate-limit rows idle
 * for 24 h, delivered or disabled emails after 7 days, realtime outbox rows after 24 h, idempotency records after 24 h.
 */
export function purgeJob(db: Db): Job {
  const purge = async (statement: QuerySqlToken<typeof Count>) => (await db.one(statement)).count;
  return {
    name: 'purge',
    async run({ now }) {
      const at = (msAgo: number) => sql.timestamp(new Date(now.getTime() - msAgo));
      return {
        refreshTokens: await purge(sql.type(Count)`
          WITH d AS (DELETE FROM refresh_tokens WHERE expires_at < ${at(0)} RETURNING 1) SELECT count(*)::int AS count FROM d`),
        resetTokens: await purge(sql.type(Count)`
          WITH d AS (DELETE FROM password_reset_tokens WHERE expires_at < ${at(DAY)} RETURNING 1) SELECT count(*)::int AS count FROM d`),
        invitations: await purge(sql.type(Count)`
          WITH d AS (DELETE FROM account_invitations WHERE expires_at < ${at(7 * DAY)} RETURNING 1) SELECT count(*)::int AS count FROM d`),
        wsTickets: await purge(sql.type(Count)`
          WITH d AS (DELETE FROM ws_tickets WHERE expires_at < ${at(60 * 60 * 1000)} RETURNING 1) SELECT count(*)::int AS count FROM d`),
        rateLimits: await purge(sql.type(Count)`
          WITH d AS (DELETE FROM auth_rate_limits WHERE updated_at < ${at(DAY)} RETURNING 1) SELECT count(*)::int AS count FROM d`),
        emails: await purge(sql.type(Count)`
          WITH d AS (DELETE FROM email_outbox WHERE status IN ('sent', 'disabled') AND created_at < ${at(7 * DAY)} RETURNING 1)
          SELECT count(*)::int AS count FROM d`),
        idempotencyKeys: await purge(sql.type(Count)`
          WITH d AS (DELETE FROM idempotency_keys WHERE created_at < ${at(DAY)} RETURNING 1) SELECT count(*)::int AS count FROM d`),
        realtimeEvents: await purge(sql.type(Count)`
          WITH d AS (DELETE FROM realtime_outbox WHERE created_at < ${at(DAY)} RETURNING 1) SELECT count(*)::int AS count FROM d`),
      };
    },
  };
}

import type { Db } from '../db/pool.ts';
import { addDays, todayIn } from '../lib/zoned-time.ts';
import { refreshDailyStats } from '../modules/attendance/daily-stats.ts';
import { raiseException } from '../modules/attendance/exceptions-writer.ts';
import { autoCloseIfStale, type SessionSettings } from '../modules/attendance/session-close.ts';
import { findDueActiveSessions, listActiveUsersWithCreatedDate, lockUserStatusForAbsence } from '../modules/attendance/sessions-queries.ts';
import type { Job } from './scheduler.ts';

/** 02 §4.6: absences are evaluated for today and the 6 days before it (never before the user existed). */
const ABSENCE_LOOKBACK_DAYS = 6;

/**
 * `attendance-auto-close` (02 §4.6, 05 §6). 1) Every active session past its deadline is closed as `incomplete`
 * (the same locked, conditional close as the lazy close; one transaction per session). 2) For every active user and
 * work date from max(today − 6, the user's creation date) to today (ORG_TIMEZONE), `daily_stats` is refreshed and an
 * `absent` exception raised where the day status is `absent` (02 §4.7; `ON CONFLICT DO NOTHING`). Running it twice
 * leaves the same rows. A failure on one session or user is logged and the run continues.
 */
export function attendanceAutoCloseJob(db: Db, settings: SessionSettings): Job {
  return {
    name: 'attendance-auto-close',
    async run({ now, logger }) {
      let closed = 0;
      let failed = 0;
      const due = await findDueActiveSessions(db, now, settings.attendance.maxActiveHours, settings.attendance.autoCloseGraceMinutes);
      for (const sessionId of due) {
        try {
          if (await db.transaction((tx) => autoCloseIfStale(tx, sessionId, now, settings))) closed++;
        } catch (error) {
          failed++;
          logger.error({ err: error, sessionId }, 'auto-close failed');
        }
      }

      const today = todayIn(now, settings.orgTimezone);
      const earliest = addDays(today, -ABSENCE_LOOKBACK_DAYS);
      const users = await listActiveUsersWithCreatedDate(db, settings.orgTimezone);
      let absencesRaised = 0;
      let usersEvaluated = 0;
      for (const user of users) {
        const from = user.createdDate > earliest ? user.createdDate : earliest;
        if (from > today) continue;
        try {
          absencesRaised += await db.transaction(async (tx) => {
            // Serialises with a concurrent check-in (which share-locks the row first): either it committed and its
            // session is seen here, or it waits and then resolves the absence raised here.
            const status = await lockUserStatusForAbsence(tx, user.id);
            if (status !== 'active') return 0;
            let raised = 0;
            for (let workDate = from; workDate <= today; workDate = addDays(workDate, 1)) {
              const outcome = await refreshDailyStats(tx, { userId: user.id, workDate, now, orgTimezone: settings.orgTimezone });
              if (outcome.dayStatus !== 'absent') continue;
              const id = await raiseException(tx, { userId: user.id, workDate, type: 'absent', now, reason: `No check-in on ${workDate}` });
              if (id) raised++;
            }
            return raised;
          });
          usersEvaluated++;
        } catch (error) {
          failed++;
          logger.error({ err: error, userId: user.id }, 'absence evaluation failed');
        }
      }
      return { closed, absencesRaised, usersEvaluated, failed };
    },
  };
}

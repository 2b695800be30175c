import { sql } from 'slonik';
import { z } from 'zod';
import type { Db } from '../db/pool.ts';
import { NoRows } from '../db/sql.ts';
import { tooManyRequests } from '../http/errors.ts';
import type { Clock } from '../lib/clock.ts';
import { sha256Hex } from './tokens.ts';

/** One limit of 01 §4.6: `max` counted events per fixed window of `windowSeconds`, per key. */
export interface RateRule {
  scope: string;
  max: number;
  windowSeconds: number;
}

export interface Reservation {
  /** Headers for the response (05 §5): `RateLimit-Policy` and `RateLimit`. */
  headers: Record<string, string>;
  /** Gives the slot back: the event turned out not to count (e.g. a successful login on the IP key). */
  refund(): Promise<void>;
}

const Slot = z.object({ counter: z.number(), windowStartedAt: z.date() });

/**
 * Fixed-window counters in PostgreSQL, shared by every instance. A slot is *reserved* atomically before the
 * guarded work (one upsert that only succeeds while `counter < max`), and refunded when the outcome does not
 * count — so parallel requests can never overshoot the limit, and a full key is refused before any credential check.
 */
export class RateLimiter {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  static keyHash(rule: RateRule, key: string): string {
    return sha256Hex(`${rule.scope}:${key.toLowerCase()}`);
  }

  static headers(rule: RateRule, counter: number, windowStartedAt: Date, now: Date): Record<string, string> {
    const reset = Math.max(0, Math.ceil((windowStartedAt.getTime() + rule.windowSeconds * 1000 - now.getTime()) / 1000));
    return {
      'RateLimit-Policy': `${rule.max};w=${rule.windowSeconds}`,
      RateLimit: `limit=${rule.max}, remaining=${Math.max(0, rule.max - counter)}, reset=${reset}`,
    };
  }

  /**
   * Reserves one slot on the key.
   * @throws AppError 429 RATE_LIMIT_ERROR with Retry-After when the window is full (nothing is counted).
   */
  async reserve(rule: RateRule, key: string): Promise<Reservation> {
    const now = this.clock.now();
    const hash = RateLimiter.keyHash(rule, key);
    const windowStart = new Date(now.getTime() - rule.windowSeconds * 1000);
    const slot = await this.db.maybeOne(sql.type(Slot)`
      INSERT INTO auth_rate_limits AS r (scope, key_hash, counter, window_started_at, updated_at)
      VALUES (${rule.scope}, ${hash}, 1, ${sql.timestamp(now)}, ${sql.timestamp(now)})
      ON CONFLICT (scope, key_hash) DO UPDATE SET
        counter = CASE WHEN r.window_started_at <= ${sql.timestamp(windowStart)} THEN 1 ELSE r.counter + 1 END,
        window_started_at = CASE WHEN r.window_started_at <= ${sql.timestamp(windowStart)} THEN ${sql.timestamp(now)} ELSE r.window_started_at END,
        updated_at = ${sql.timestamp(now)}
      WHERE r.window_started_at <= ${sql.timestamp(windowStart)} OR r.counter < ${rule.max}
      RETURNING counter, window_started_at`);
    if (!slot) {
      const full = await this.db.maybeOne(sql.type(Slot)`
        SELECT counter, window_started_at FROM auth_rate_limits WHERE scope = ${rule.scope} AND key_hash = ${hash}`);
      const started = full?.windowStartedAt ?? now;
      const error = tooManyRequests((started.getTime() + rule.windowSeconds * 1000 - now.getTime()) / 1000);
      Object.assign(error.headers, RateLimiter.headers(rule, rule.max, started, now));
      throw error;
    }
    return {
      headers: RateLimiter.headers(rule, slot.counter, slot.windowStartedAt, now),
      refund: async () => {
        await this.db.query(sql.type(NoRows)`
          UPDATE auth_rate_limits SET counter = greatest(counter - 1, 0), updated_at = ${sql.timestamp(this.clock.now())}
          WHERE scope = ${rule.scope} AND key_hash = ${hash} AND window_started_at = ${sql.timestamp(slot.windowStartedAt)}`);
      },
    };
  }

  /** Clears the key (a successful login resets `login:email`). */
  async reset(rule: RateRule, key: string): Promise<void> {
    await this.db.query(sql.type(NoRows)`
      DELETE FROM auth_rate_limits WHERE scope = ${rule.scope} AND key_hash = ${RateLimiter.keyHash(rule, key)}`);
  }
}

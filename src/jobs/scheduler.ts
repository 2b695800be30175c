import { sql } from 'slonik';
import { z } from 'zod';
import type { JobName } from '../config.ts';
import type { Db } from '../db/pool.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';

export interface JobContext {
  now: Date;
  logger: Logger;
}

/** A periodic job (05 §6): idempotent and safe to run twice. */
export interface Job {
  name: JobName;
  run(ctx: JobContext): Promise<Record<string, unknown> | void>;
}

export type JobOutcome = { ran: true; result: Record<string, unknown> | void } | { ran: false; reason: 'locked' };

/**
 * In-process scheduler. Each run takes `pg_try_advisory_lock(hashtext('job:<name>'))` on a dedicated connection,
 * so across instances exactly one runs a given job at a time; a failure is logged and never stops the others.
 */
export class Scheduler {
  readonly #timers = new Map<JobName, NodeJS.Timeout>();
  readonly #running = new Set<Promise<unknown>>();
  readonly #jobs: Map<JobName, Job>;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
    jobs: readonly Job[],
  ) {
    this.#jobs = new Map(jobs.map((j) => [j.name, j]));
  }

  has(name: string): name is JobName {
    return this.#jobs.has(name as JobName);
  }

  /** Runs one job once under its advisory lock (used by the timers, `npm run job` and tests). */
  async runOnce(name: JobName): Promise<JobOutcome> {
    const job = this.#jobs.get(name);
    if (!job) throw new Error(`Unknown job ${name}`);
    const key = `job:${name}`;
    return this.db.connect(async (connection) => {
      const locked = await connection.oneFirst(sql.type(z.object({ locked: z.boolean() }))`SELECT pg_try_advisory_lock(hashtext(${key})) AS locked`);
      if (!locked) return { ran: false, reason: 'locked' } as const;
      try {
        const result = await job.run({ now: this.clock.now(), logger: this.logger.child({ job: name }) });
        return { ran: true, result } as const;
      } finally {
        await connection.query(sql.type(z.object({ unlocked: z.boolean() }))`SELECT pg_advisory_unlock(hashtext(${key})) AS unlocked`);
      }
    });
  }

  start(intervalsSeconds: Record<JobName, number>): void {
    for (const name of this.#jobs.keys()) {
      const everyMs = intervalsSeconds[name] * 1000;
      const tick = () => {
        const run = this.runOnce(name)
          .then((outcome) => {
            if (outcome.ran && outcome.result) this.logger.debug({ job: name, ...outcome.result }, 'job ran');
          })
          .catch((error: unknown) => this.logger.error({ job: name, err: error }, 'job failed'))
          .finally(() => {
            this.#running.delete(run);
            if (this.#timers.has(name)) this.#timers.set(name, setTimeout(tick, everyMs).unref());
          });
        this.#running.add(run);
      };
      this.#timers.set(name, setTimeout(tick, everyMs).unref());
    }
  }

  /** Stops scheduling and waits for runs in progress. */
  async stop(): Promise<void> {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled([...this.#running]);
  }
}

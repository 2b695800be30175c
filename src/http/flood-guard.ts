import type { NextFunction, Request, Response } from 'express';
import { tooManyRequests } from './errors.ts';

/**
 * The general flood limiter of 05 §5: per user when authenticated, per IP otherwise, fixed one-minute windows.
 * Per instance and in memory by design (the exact, shared limits are the auth limits in PostgreSQL).
 */
export class FloodGuard {
  readonly #windows = new Map<string, { start: number; count: number }>();
  constructor(
    readonly perUserPerMinute: number,
    readonly perIpPerMinute: number,
    readonly now: () => number = () => Date.now(),
  ) {}

  /** Counts one request; returns seconds to wait when over the limit, else 0. */
  hit(key: string, limit: number): number {
    const now = this.now();
    let window = this.#windows.get(key);
    if (!window || now - window.start >= 60_000) {
      if (this.#windows.size > 100_000) this.#sweep(now);
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count++;
    return window.count > limit ? Math.ceil((window.start + 60_000 - now) / 1000) : 0;
  }

  #sweep(now: number) {
    for (const [key, w] of this.#windows) if (now - w.start >= 60_000) this.#windows.delete(key);
  }

  /** Anonymous requests (no Authorization header), keyed by client IP. Never applied to /health. */
  anonymous() {
    return (req: Request, _res: Response, next: NextFunction) => {
      if (req.path.startsWith('/health') || req.headers.authorization !== undefined) return next();
      const wait = this.hit(`ip:${req.meta.ip}`, this.perIpPerMinute);
      next(wait > 0 ? tooManyRequests(wait) : undefined);
    };
  }

  /** Authenticated requests, keyed by user; called once the actor is known. */
  checkUser(userId: string): void {
    const wait = this.hit(`user:${userId}`, this.perUserPerMinute);
    if (wait > 0) throw tooManyRequests(wait);
  }
}

import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Actor } from '../auth/actor.ts';
import type { OperationInfo } from './operations.ts';

/** What the platform attaches to every request before any handler runs. */
export interface RequestMeta {
  requestId: string;
  ip: string;
  userAgent: string | null;
  startedAt: bigint;
  /** Headers a service wants on the response whatever its outcome (rate-limit headers, 05 §5). */
  responseHeaders: Record<string, string>;
}

declare module 'express-serve-static-core' {
  interface Request {
    meta: RequestMeta;
    operation?: OperationInfo;
    /** Memoized authentication (the validator may call the security handler once per requirement). */
    actorPromise?: Promise<Actor>;
    actor?: Actor;
  }
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Client IP per TRUSTED_PROXY_HOPS: 0 = the socket peer (X-Forwarded-For ignored); n = n-th entry from the right. */
export function clientIp(req: Request, trustedProxyHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxyHops === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const chain = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((s) => s.trim()).filter(Boolean);
  return chain[chain.length - trustedProxyHops] ?? peer;
}

export function requestContext(trustedProxyHops: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    const sent = req.headers['x-request-id'];
    const requestId = typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : randomUUID();
    const ua = req.headers['user-agent'];
    req.meta = {
      requestId,
      ip: clientIp(req, trustedProxyHops),
      userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null,
      startedAt: process.hrtime.bigint(),
      responseHeaders: {},
    };
    res.setHeader('X-Request-Id', requestId);
    next();
  };
}

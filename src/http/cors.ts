import type { NextFunction, Request, Response } from 'express';

const METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD';
const ALLOWED_HEADERS = 'Authorization, Content-Type, Accept, Origin, Range, X-Requested-With, X-Request-Id, Idempotency-Key';
const EXPOSED_HEADERS =
  'Content-Disposition, Content-Length, Content-Range, Accept-Ranges, Retry-After, X-Request-Id, RateLimit, RateLimit-Policy, Idempotent-Replayed';

/**
 * Exact-match CORS (01 §3.4): no patterns in any environment; a non-allowed origin gets no Access-Control-* header.
 * Preflights are answered here (204) so they never reach routing.
 */
export function cors(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    const ok = typeof origin === 'string' && allowed.has(origin);
    if (ok) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    }
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      if (ok) {
        res.setHeader('Access-Control-Allow-Methods', METHODS);
        res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        res.setHeader('Access-Control-Max-Age', '600');
      }
      res.status(204).end();
      return;
    }
    next();
  };
}

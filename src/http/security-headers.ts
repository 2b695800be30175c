import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
// The reference page (development only) runs Redoc's bundled script and styles inline.
const DOCS_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; worker-src blob:; frame-ancestors 'none'";

/** The headers of 01 §3.4 on every response, errors and preflights included. */
export function securityHeaders(production: boolean) {
  const base = helmet({
    contentSecurityPolicy: false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    strictTransportSecurity: production ? { maxAge: 31_536_000, includeSubDomains: true, preload: false } : false,
    crossOriginEmbedderPolicy: false,
  });
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    res.setHeader('Content-Security-Policy', req.path === '/docs' ? DOCS_CSP : API_CSP);
    res.setHeader('Cache-Control', 'no-store');
    base(req, res, next);
  };
}

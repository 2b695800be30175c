import { createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

const ISSUER = 'workforce-os';
const AUDIENCE = 'workforce-os-api';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AccessClaims {
  sub: string;
  sid: string;
}

/**
 * Access JWTs (01 §4.5): HS256 only, with a KeyObject built once — a string secret makes jsonwebtoken
 * rebuild the key on every call (05 §9's known trap).
 */
export class AccessTokens {
  readonly #key: KeyObject;
  constructor(
    secret: string,
    readonly lifetimeSeconds: number,
  ) {
    this.#key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  sign(claims: AccessClaims & { role?: string }, now: Date): string {
    const iat = Math.floor(now.getTime() / 1000);
    return jwt.sign({ sub: claims.sub, sid: claims.sid, typ: 'access', role: claims.role, iat, exp: iat + this.lifetimeSeconds }, this.#key, {
      algorithm: 'HS256',
      issuer: ISSUER,
      audience: AUDIENCE,
    });
  }

  /** The claims of a valid access token, or null for anything else (alg, signature, expiry, type, shape). */
  verify(token: string, now: Date): AccessClaims | null {
    try {
      const payload = jwt.verify(token, this.#key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTolerance: 30,
        clockTimestamp: Math.floor(now.getTime() / 1000),
      });
      if (typeof payload !== 'object' || payload === null) return null;
      const { sub, sid, typ, exp } = payload as Record<string, unknown>;
      if (typ !== 'access' || typeof exp !== 'number') return null;
      if (typeof sub !== 'string' || !UUID.test(sub) || typeof sid !== 'string' || !UUID.test(sid)) return null;
      return { sub, sid };
    } catch {
      return null;
    }
  }
}

/** A random opaque secret (refresh, reset, invitation, WS ticket): 32 bytes, base64url (43 chars). */
export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** SHA-256 hex: secrets are stored and looked up by hash only. */
export const sha256Hex = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

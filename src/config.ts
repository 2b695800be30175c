/**
 * The only reader of `process.env`. Every setting is parsed and validated once at startup; a bad value
 * stops the process with the variable's name (never its value). Spec: 01 §3.4, 05 §1–§10.
 */
import { passwordPolicyViolation } from './auth/password-policy.ts';

export type AppEnv = 'development' | 'test' | 'production';

export interface Config {
  appEnv: AppEnv;
  /** development or test: docs, debug tokens, localhost CORS extras, no HSTS. */
  isNonProduction: boolean;
  /** DATABASE_URL unset: the server runs an embedded PostgreSQL (05 §2). */
  localMode: boolean;
  host: string;
  port: number;
  databaseUrl: string | null;
  embeddedPg: { dir: string; port: number | null };
  /** null in local mode until the persisted key is loaded (see resolveSecretKey in main). */
  secretKey: string | null;
  accessTokenMinutes: number;
  refreshTokenDays: number;
  refreshTokenAbsoluteDays: number;
  passwordResetTtlMinutes: number;
  invitationTtlHours: number;
  trustedProxyHops: number;
  frontendBaseUrl: string | null;
  corsOrigins: string[];
  smtp: {
    host: string | null;
    port: number;
    user: string | null;
    password: string | null;
    tls: boolean;
    fromEmail: string;
    fromName: string;
  };
  bootstrapAdmin: { email: string | null; password: string | null; name: string };
  orgTimezone: string;
  logLevel: string;
  validateResponses: boolean;
  /** Always true in production; development/test may switch it off to measure the validator's cost (05 §9). */
  validateRequests: boolean;
  rateLimits: {
    loginPerIp: Limit;
    loginPerEmail: Limit;
    forgot: Limit;
    reset: Limit;
    activation: Limit;
    generalPerUserPerMinute: number;
    generalPerIpPerMinute: number;
  };
  jobs: Record<JobName, number>;
  leaveEscalationHours: number;
  attendance: AttendanceSettings;
  dbStatementTimeoutMs: number;
  dbPoolSize: number;
}

/** Attendance settings of 02 §1.1. */
export interface AttendanceSettings {
  maxActiveHours: number;
  autoCloseGraceMinutes: number;
  shiftPostEndGraceHours: number;
  maxSessionsPerDay: number;
  maxBreaksPerSession: number;
  breakAllowanceMinutes: number;
  unpaidBreakTypes: ReadonlySet<'dinner' | 'prayer' | 'other'>;
  correctionWindowDays: number;
}

export interface Limit {
  max: number;
  windowSeconds: number;
}

export type JobName =
  | 'attendance-auto-close'
  | 'leave-escalation'
  | 'alerts-scan'
  | 'announcements-publish-due'
  | 'email-delivery'
  | 'purge'
  | 'audit-anchor';

/** Raised for any invalid setting; the message names the variable, never its value. */
export class ConfigError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`Invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const WEAK_SECRETS = new Set(['change-me-in-env', 'changeme', 'secret', 'dev', 'test']);
const WEAK_BOOTSTRAP_PASSWORDS = new Set(['change-this-password', 'changeme', 'password']);
const DEV_ORIGINS = [3000, 3001, 3002].flatMap((p) => [`http://localhost:${p}`, `http://127.0.0.1:${p}`]);

function read(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return value.trim();
  }
  return undefined;
}

function int(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, 'must be a whole number');
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}`);
  return value;
}

function bool(env: Env, names: string[], fallback: boolean): boolean {
  const raw = read(env, ...names);
  if (raw === undefined) return fallback;
  const lower = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  throw new ConfigError(names[0]!, 'must be true or false');
}

/** Lower-cased, trimmed APP_ENV; development and test are non-production, anything else is production. */
export function classifyAppEnv(raw: string | undefined, localMode: boolean): AppEnv {
  if (raw === undefined) return localMode ? 'development' : 'production';
  const value = raw.trim().toLowerCase();
  if (value === 'development' || value === 'test') return value;
  return 'production';
}

function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '');
}

function parseOrigins(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  let list: unknown;
  if (raw.startsWith('[')) {
    try {
      list = JSON.parse(raw);
    } catch {
      throw new ConfigError('CORS_ORIGINS', 'is not a valid JSON array');
    }
    if (!Array.isArray(list) || list.some((o) => typeof o !== 'string')) {
      throw new ConfigError('CORS_ORIGINS', 'must be a JSON array of strings');
    }
  } else {
    list = raw.split(',');
  }
  return (list as string[]).map(normalizeOrigin).filter((o) => o !== '');
}

/** `postgres://` → `postgresql://`; `${…}` placeholders fall back to DATABASE_PUBLIC_URL, then PG* parts. */
function resolveDatabaseUrl(env: Env): string | null {
  let url = read(env, 'DATABASE_URL');
  if (url === undefined) return null;
  if (url.includes('${')) {
    const publicUrl = read(env, 'DATABASE_PUBLIC_URL');
    if (publicUrl !== undefined && !publicUrl.includes('${')) {
      url = publicUrl;
    } else {
      const host = read(env, 'PGHOST');
      const user = read(env, 'PGUSER');
      const database = read(env, 'PGDATABASE');
      if (!host || !user || !database) throw new ConfigError('DATABASE_URL', 'contains an unresolved placeholder');
      const password = read(env, 'PGPASSWORD');
      const port = read(env, 'PGPORT') ?? '5432';
      const auth = password ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}` : encodeURIComponent(user);
      url = `postgresql://${auth}@${host}:${port}/${encodeURIComponent(database)}`;
    }
  }
  if (/^sqlite/i.test(url)) throw new ConfigError('DATABASE_URL', 'must be a PostgreSQL URL (SQLite is not supported)');
  url = url.replace(/^postgres:\/\//, 'postgresql://');
  if (!url.startsWith('postgresql://')) throw new ConfigError('DATABASE_URL', 'must start with postgresql://');
  try {
    new URL(url);
  } catch {
    throw new ConfigError('DATABASE_URL', 'is not a valid URL');
  }
  return url;
}

const BREAK_TYPES = ['dinner', 'prayer', 'other'] as const;

function parseBreakTypes(raw: string | undefined): ReadonlySet<(typeof BREAK_TYPES)[number]> {
  const list = (raw ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const item of list) {
    if (!(BREAK_TYPES as readonly string[]).includes(item)) throw new ConfigError('ATTENDANCE_UNPAID_BREAK_TYPES', 'must list only dinner, prayer, other');
  }
  return new Set(list as (typeof BREAK_TYPES)[number][]);
}

function isLocalhostUrl(value: string): boolean {
  try {
    const { hostname } = new URL(value);
    return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
  } catch {
    return true;
  }
}

/**
 * Reads and validates the configuration.
 * @throws ConfigError naming the first bad variable (production validation of 01 §3.4 included).
 */
export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = resolveDatabaseUrl(env);
  const localMode = databaseUrl === null;
  const appEnv = classifyAppEnv(env.APP_ENV, localMode);
  const isNonProduction = appEnv !== 'production';

  const port = read(env, 'PORT') !== undefined ? int(env, 'PORT', 8000, 0, 65535) : int(env, 'APP_PORT', 8000, 0, 65535);
  const accessTokenMinutes = int(env, 'ACCESS_TOKEN_EXPIRE_MINUTES', 15, 1, 24 * 60);
  const frontendRaw = read(env, 'FRONTEND_BASE_URL', 'FRONTEND_URL');
  const frontendBaseUrl = frontendRaw !== undefined ? normalizeOrigin(frontendRaw) : isNonProduction ? 'http://localhost:3000' : null;
  const corsRaw = read(env, 'CORS_ORIGINS');
  const corsFromEnv = parseOrigins(corsRaw);
  const secretKey = read(env, 'APP_SECRET_KEY') ?? null;
  const bootstrapPassword = env.BOOTSTRAP_ADMIN_PASSWORD !== undefined && env.BOOTSTRAP_ADMIN_PASSWORD !== '' ? env.BOOTSTRAP_ADMIN_PASSWORD : null;

  const timezone = read(env, 'ORG_TIMEZONE') ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ConfigError('ORG_TIMEZONE', 'is not a known IANA time zone');
  }

  if (!isNonProduction) {
    if (secretKey === null || secretKey.length < 32 || WEAK_SECRETS.has(secretKey.toLowerCase())) {
      throw new ConfigError('APP_SECRET_KEY', 'must be set to a random value of at least 32 characters in production');
    }
    if (
      bootstrapPassword !== null &&
      (WEAK_BOOTSTRAP_PASSWORDS.has(bootstrapPassword.toLowerCase()) ||
        passwordPolicyViolation(bootstrapPassword, read(env, 'BOOTSTRAP_ADMIN_EMAIL') ?? '') !== null)
    ) {
      throw new ConfigError('BOOTSTRAP_ADMIN_PASSWORD', 'is a known default or fails the password policy');
    }
    if (frontendBaseUrl === null || frontendBaseUrl.includes('${') || !frontendBaseUrl.startsWith('https://') || isLocalhostUrl(frontendBaseUrl)) {
      throw new ConfigError('FRONTEND_BASE_URL', 'must be an https:// URL that is not localhost in production');
    }
    if (corsFromEnv.length === 0 || corsFromEnv.includes('*') || !corsFromEnv.includes(frontendBaseUrl)) {
      throw new ConfigError('CORS_ORIGINS', 'must list explicit origins, include FRONTEND_BASE_URL and not contain * in production');
    }
    if (accessTokenMinutes < 5 || accessTokenMinutes > 60) {
      throw new ConfigError('ACCESS_TOKEN_EXPIRE_MINUTES', 'must be between 5 and 60 in production');
    }
  } else if (secretKey !== null && secretKey.length < 16) {
    throw new ConfigError('APP_SECRET_KEY', 'must be at least 16 characters');
  }
  if (corsFromEnv.includes('*') && !isNonProduction) {
    throw new ConfigError('CORS_ORIGINS', 'must not contain *');
  }

  const corsOrigins = [...new Set([...(frontendBaseUrl ? [frontendBaseUrl] : []), ...corsFromEnv.filter((o) => o !== '*'), ...(isNonProduction ? DEV_ORIGINS : [])])];

  const jobInterval = (name: string, fallback: number) => int(env, name, fallback, 1);

  return {
    appEnv,
    isNonProduction,
    localMode,
    host: read(env, 'APP_HOST') ?? '0.0.0.0',
    port,
    databaseUrl,
    embeddedPg: {
      dir: read(env, 'EMBEDDED_PG_DIR') ?? '.data/postgres',
      port: read(env, 'EMBEDDED_PG_PORT') !== undefined ? int(env, 'EMBEDDED_PG_PORT', 0, 1, 65535) : null,
    },
    secretKey,
    accessTokenMinutes,
    refreshTokenDays: int(env, 'REFRESH_TOKEN_EXPIRE_DAYS', 7, 1, 365),
    refreshTokenAbsoluteDays: int(env, 'REFRESH_TOKEN_ABSOLUTE_DAYS', 30, 1, 365),
    passwordResetTtlMinutes: int(env, 'PASSWORD_RESET_TOKEN_TTL_MINUTES', 120, 1, 24 * 60),
    invitationTtlHours: int(env, 'INVITATION_TOKEN_TTL_HOURS', 24, 1, 24 * 30),
    trustedProxyHops: int(env, 'TRUSTED_PROXY_HOPS', 0, 0, 10),
    frontendBaseUrl,
    corsOrigins,
    smtp: {
      host: read(env, 'SMTP_HOST') ?? null,
      port: int(env, 'SMTP_PORT', 587, 1, 65535),
      user: read(env, 'SMTP_USER', 'SMTP_USERNAME') ?? null,
      password: env.SMTP_PASSWORD ?? null,
      tls: bool(env, ['SMTP_TLS', 'SMTP_USE_TLS'], true),
      fromEmail: read(env, 'EMAILS_FROM_EMAIL', 'SMTP_FROM_EMAIL') ?? 'no-reply@workforce.local',
      fromName: read(env, 'EMAILS_FROM_NAME', 'SMTP_FROM_NAME') ?? 'Workforce OS',
    },
    bootstrapAdmin: {
      email: read(env, 'BOOTSTRAP_ADMIN_EMAIL')?.toLowerCase() ?? null,
      password: bootstrapPassword,
      name: read(env, 'BOOTSTRAP_ADMIN_NAME') ?? 'HR Admin',
    },
    orgTimezone: timezone,
    logLevel: read(env, 'LOG_LEVEL') ?? (appEnv === 'test' ? 'silent' : 'info'),
    validateResponses: bool(env, ['VALIDATE_RESPONSES'], isNonProduction),
    validateRequests: isNonProduction ? bool(env, ['VALIDATE_REQUESTS'], true) : true,
    rateLimits: {
      loginPerIp: { max: int(env, 'AUTH_LOGIN_MAX_ATTEMPTS', 5, 1), windowSeconds: int(env, 'AUTH_LOGIN_WINDOW_SECONDS', 900, 1) },
      loginPerEmail: { max: int(env, 'AUTH_LOGIN_MAX_ATTEMPTS_PER_EMAIL', 10, 1), windowSeconds: int(env, 'AUTH_LOGIN_WINDOW_SECONDS', 900, 1) },
      forgot: { max: int(env, 'AUTH_FORGOT_PASSWORD_MAX_ATTEMPTS', 3, 1), windowSeconds: int(env, 'AUTH_FORGOT_PASSWORD_WINDOW_SECONDS', 900, 1) },
      reset: { max: int(env, 'AUTH_RESET_PASSWORD_MAX_ATTEMPTS', 5, 1), windowSeconds: int(env, 'AUTH_RESET_PASSWORD_WINDOW_SECONDS', 900, 1) },
      activation: { max: int(env, 'AUTH_ACTIVATION_MAX_ATTEMPTS', 5, 1), windowSeconds: int(env, 'AUTH_ACTIVATION_WINDOW_SECONDS', 900, 1) },
      generalPerUserPerMinute: int(env, 'RATE_LIMIT_PER_USER_PER_MINUTE', 1200, 1),
      generalPerIpPerMinute: int(env, 'RATE_LIMIT_PER_IP_PER_MINUTE', 300, 1),
    },
    jobs: {
      'attendance-auto-close': jobInterval('ATTENDANCE_AUTO_CLOSE_INTERVAL_SECONDS', 300),
      'leave-escalation': jobInterval('LEAVE_ESCALATION_INTERVAL_SECONDS', 300),
      'alerts-scan': jobInterval('ALERTS_SCAN_INTERVAL_SECONDS', 300),
      'announcements-publish-due': jobInterval('ANNOUNCEMENTS_INTERVAL_SECONDS', 60),
      'email-delivery': jobInterval('EMAIL_DELIVERY_INTERVAL_SECONDS', 5),
      purge: jobInterval('PURGE_INTERVAL_SECONDS', 3600),
      'audit-anchor': jobInterval('AUDIT_ANCHOR_INTERVAL_SECONDS', 3600),
    },
    leaveEscalationHours: int(env, 'LEAVE_ESCALATION_HOURS', 48, 1),
    attendance: {
      maxActiveHours: int(env, 'ATTENDANCE_MAX_ACTIVE_HOURS', 16, 1, 48),
      autoCloseGraceMinutes: int(env, 'ATTENDANCE_AUTO_CLOSE_GRACE_MINUTES', 60, 0, 24 * 60),
      shiftPostEndGraceHours: int(env, 'SHIFT_POST_END_GRACE_HOURS', 4, 0, 12),
      maxSessionsPerDay: int(env, 'ATTENDANCE_MAX_SESSIONS_PER_DAY', 10, 1, 100),
      maxBreaksPerSession: int(env, 'ATTENDANCE_MAX_BREAKS_PER_SESSION', 20, 1, 200),
      breakAllowanceMinutes: int(env, 'ATTENDANCE_BREAK_ALLOWANCE_MINUTES', 60, 0, 24 * 60),
      unpaidBreakTypes: parseBreakTypes(read(env, 'ATTENDANCE_UNPAID_BREAK_TYPES')),
      correctionWindowDays: int(env, 'ATTENDANCE_CORRECTION_WINDOW_DAYS', 30, 1, 366),
    },
    dbStatementTimeoutMs: int(env, 'DB_STATEMENT_TIMEOUT_MS', 15000, 100),
    dbPoolSize: int(env, 'DB_POOL_SIZE', 10, 1, 200),
  };
}

import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines; secrets are redacted by path should they ever reach a log call. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    redact: {
      paths: ['password', '*.password', '*.newPassword', '*.currentPassword', '*.token', '*.refreshToken', '*.accessToken', 'authorization', '*.authorization'],
      censor: '[redacted]',
    },
  });
}

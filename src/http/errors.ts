/** One error shape for every layer (00 §Errors). Services throw these; the error middleware writes the body. */

export type ErrorCode =
  | 'AUTH_ERROR'
  | 'PERMISSION_ERROR'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'VALIDATION_ERROR'
  | 'RATE_LIMIT_ERROR'
  | 'INTERNAL_ERROR'
  | 'API_ERROR';

export interface ErrorDetail {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const unauthorized = (message = 'Could not validate credentials.') => new AppError(401, 'AUTH_ERROR', message);

export const forbidden = (message = 'You do not have permission to perform this action.', details: ErrorDetail[] = []) =>
  new AppError(403, 'PERMISSION_ERROR', message, details);

export const notFound = (message = 'Resource not found.') => new AppError(404, 'NOT_FOUND', message);

export const conflict = (message: string, details: ErrorDetail[] = []) => new AppError(409, 'CONFLICT', message, details);

/** A business rule about input: 422 with the offending field(s), e.g. `invalid('body.managerId', 'must be active')`. */
export const invalid = (field: string, message: string) =>
  new AppError(422, 'VALIDATION_ERROR', 'Request validation failed.', [{ field, message }]);

export const invalidMany = (details: ErrorDetail[]) => new AppError(422, 'VALIDATION_ERROR', 'Request validation failed.', details);

export const tooManyRequests = (retryAfterSeconds: number) =>
  new AppError(429, 'RATE_LIMIT_ERROR', 'Too many requests. Please try again later.', [], {
    'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });

export const INTERNAL_MESSAGE = 'An unexpected internal server error occurred.';

/** The default code for an HTTP status outside the named ones. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'AUTH_ERROR';
    case 403:
      return 'PERMISSION_ERROR';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 422:
      return 'VALIDATION_ERROR';
    case 429:
      return 'RATE_LIMIT_ERROR';
    default:
      return status >= 500 ? 'INTERNAL_ERROR' : 'API_ERROR';
  }
}

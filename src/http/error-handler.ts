import type { NextFunction, Request, Response } from 'express';
import { mapDatabaseError } from '../db/constraints.ts';
import type { Logger } from '../lib/logger.ts';
import { AppError, codeForStatus, INTERNAL_MESSAGE, type ErrorDetail } from './errors.ts';

interface ValidatorError {
  status?: number;
  message?: string;
  errors?: { path?: string; message?: string }[];
  headers?: Record<string, string>;
  type?: string;
}

const SECRET_FIELD = /password|token|secret/i;
const LOCATION: Record<string, string> = { body: 'body', query: 'query', params: 'path', path: 'path', headers: 'header', header: 'header' };

/** `/body/email` or `.body.email` → `body.email`; `/params/userId` → `path.userId`; `/headers/idempotency-key` → `header.idempotency-key`. */
export function toField(path: string | undefined): string {
  const parts = (path ?? '').split(/[/.]/).filter(Boolean);
  if (parts.length === 0) return 'body';
  const where = LOCATION[parts[0]!] ?? parts[0]!;
  return [where, ...parts.slice(1)].join('.');
}

function validatorDetails(error: ValidatorError): ErrorDetail[] {
  return (error.errors ?? []).map((e) => {
    let field = toField(e.path);
    let message = e.message ?? 'is invalid';
    const unknownQuery = /^Unknown query parameter '(.+)'$/.exec(message);
    if (unknownQuery) {
      field = `query.${unknownQuery[1]}`;
      message = 'is not a known parameter';
    }
    if (message === 'must NOT have additional properties') message = 'is not a known property';
    // Submitted values are never echoed; secrets do not even get a descriptive message.
    if (SECRET_FIELD.test(field)) message = 'Invalid value.';
    return { field, message: message.slice(0, 500) };
  });
}

/** Anything thrown or passed to next() → the envelope with the right status (00 §Errors, 01 §3.4). */
function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  const mapped = mapDatabaseError(error);
  if (mapped) return mapped;
  const e = error as ValidatorError;
  if (typeof e?.status !== 'number' || e.status < 400 || e.status >= 500) return null;
  switch (e.type) {
    case 'entity.too.large':
      return new AppError(413, 'API_ERROR', 'Request body is larger than 1 MiB.');
    case 'entity.parse.failed':
      return new AppError(422, 'VALIDATION_ERROR', 'Request validation failed.', [{ field: 'body', message: 'must be valid JSON' }]);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'API_ERROR', 'Unsupported request encoding; send UTF-8 JSON.');
  }
  switch (e.status) {
    case 400:
      return new AppError(422, 'VALIDATION_ERROR', 'Request validation failed.', validatorDetails(e));
    case 401:
      return new AppError(401, 'AUTH_ERROR', 'Could not validate credentials.');
    case 403:
      return new AppError(403, 'PERMISSION_ERROR', e.message && !e.message.startsWith('forbidden') ? e.message : 'You do not have permission to perform this action.');
    case 404:
      return new AppError(404, 'NOT_FOUND', 'Resource not found.');
    case 405:
      return new AppError(405, 'API_ERROR', 'Method not allowed.', [], e.headers ?? {});
    case 413:
      return new AppError(413, 'API_ERROR', 'Request body is larger than 1 MiB.');
    case 415:
      return new AppError(415, 'API_ERROR', 'Unsupported media type; send application/json.');
    default:
      return new AppError(e.status, codeForStatus(e.status), 'The request could not be processed.');
  }
}

export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const requestId = req.meta?.requestId ?? 'unknown';
    let appError = toAppError(error);
    if (!appError) {
      logger.error({ requestId, operationId: req.operation?.operationId, err: error }, 'unhandled error');
      appError = new AppError(500, 'INTERNAL_ERROR', INTERNAL_MESSAGE);
    }
    for (const [name, value] of Object.entries({ ...req.meta?.responseHeaders, ...appError.headers })) res.setHeader(name, value);
    if (appError.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(appError.status).json({
      error: { code: appError.code, message: appError.message, details: appError.details, requestId },
    });
  };
}

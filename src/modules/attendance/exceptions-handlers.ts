import type { Handlers } from '../../http/registry.ts';
import type { ExceptionsService } from './exceptions-service.ts';

type ExceptionOps = 'listAttendanceExceptions' | 'resolveAttendanceException' | 'dismissAttendanceException';

export function exceptionHandlers(exceptions: ExceptionsService): Handlers<ExceptionOps> {
  return {
    listAttendanceExceptions: async ({ actor, query }) => ({ status: 200, body: await exceptions.list(actor, query) }),
    resolveAttendanceException: async ({ actor, params, body, meta }) => ({
      status: 200,
      body: await exceptions.resolve(actor, params.exceptionId, body, meta),
    }),
    dismissAttendanceException: async ({ actor, params, body, meta }) => ({
      status: 200,
      body: await exceptions.dismiss(actor, params.exceptionId, body as typeof body | undefined, meta),
    }),
  };
}

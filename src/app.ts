/**
 * Composition root: builds every service from its dependencies and wires the HTTP pipeline (ENGINEERING.md):
 * request context → security headers → CORS → route match (404/405/415) → JSON body (413) → flood guard
 * → express-openapi-validator (auth + request validation; response validation in development/test)
 * → handler by operationId → one error middleware for every failure.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { Readable } from 'node:stream';
import { RateLimiter } from './auth/rate-limit.ts';
import { AccessTokens } from './auth/tokens.ts';
import type { Config } from './config.ts';
import type { Db } from './db/pool.ts';
import { actorOf, bearerAuthHandler } from './http/authenticate.ts';
import { cors } from './http/cors.ts';
import { errorHandler } from './http/error-handler.ts';
import { AppError, notFound } from './http/errors.ts';
import { FloodGuard } from './http/flood-guard.ts';
import { createIdempotency } from './http/idempotency.ts';
import { listOperations, loadBundledSpec, RouteTable, toRuntimeSpec, type OperationInfo } from './http/operations.ts';
import type { AnyReply, HandlerContext, HandlerRegistry, OperationId } from './http/registry.ts';
import { requestContext } from './http/request-context.ts';
import { memoizeValidatorRouteCompilation } from './http/validator-route-cache.ts';
import { securityHeaders } from './http/security-headers.ts';
import type { Clock } from './lib/clock.ts';
import type { Logger } from './lib/logger.ts';
import { emailDeliveryJob } from './jobs/email-delivery.ts';
import { auditAnchorJob } from './jobs/audit-anchor.ts';
import { purgeJob } from './jobs/purge.ts';
import { attendanceAutoCloseJob } from './jobs/attendance-auto-close.ts';
import { Scheduler, type Job } from './jobs/scheduler.ts';
import { authHandlers } from './modules/auth/handlers.ts';
import { createAuthService } from './modules/auth/service.ts';
import { auditHandlers } from './modules/audit/handlers.ts';
import { createAuditService } from './modules/audit/service.ts';
import { correctionHandlers } from './modules/attendance/corrections-handlers.ts';
import { createCorrectionsService } from './modules/attendance/corrections-service.ts';
import { exceptionHandlers } from './modules/attendance/exceptions-handlers.ts';
import { createExceptionsService } from './modules/attendance/exceptions-service.ts';
import { attendanceSessionHandlers, createAttendanceSessions } from './modules/attendance/sessions-module.ts';
import { departmentHandlers } from './modules/departments/handlers.ts';
import { createDepartmentsService } from './modules/departments/service.ts';
import { platformHandlers } from './modules/platform/handlers.ts';
import { createPlatformService } from './modules/platform/service.ts';
import { permissionsHandlers } from './modules/permissions/handlers.ts';
import { createPermissionsService } from './modules/permissions/service.ts';
import { usersHandlers } from './modules/users/handlers.ts';
import { createUsersService } from './modules/users/service.ts';
import { shiftHandlers } from './modules/shifts/handlers.ts';
import { createShiftsService } from './modules/shifts/service.ts';
import { holidayHandlers } from './modules/holidays/handlers.ts';
import { createHolidaysService } from './modules/holidays/service.ts';
import { leaveEscalationJob } from './jobs/leave-escalation.ts';
import { leaveHandlers } from './modules/leaves/handlers.ts';
import { createLeavesService } from './modules/leaves/service.ts';
import { approvalHandlers } from './modules/approvals/handlers.ts';
import { createApprovalsService } from './modules/approvals/service.ts';

export interface AppDeps {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  /** The resolved signing secret (config, or the persisted local-mode key). */
  secretKey: string;
}

export function createServices(deps: AppDeps) {
  const tokens = new AccessTokens(deps.secretKey, deps.config.accessTokenMinutes * 60);
  const platform = createPlatformService({ db: deps.db, docsEnabled: deps.config.appEnv === 'development' });
  const rateLimiter = new RateLimiter(deps.db, deps.clock);
  const jobs: Job[] = [purgeJob(deps.db), emailDeliveryJob(deps.db, deps.config.smtp), auditAnchorJob(deps.db, deps.config.orgTimezone), attendanceAutoCloseJob(deps.db, deps.config), leaveEscalationJob(deps.db, deps.config)];
  const scheduler = new Scheduler(deps.db, deps.clock, deps.logger, jobs);
  const idempotency = createIdempotency(deps.db, deps.clock);
  const departments = createDepartmentsService({ db: deps.db, clock: deps.clock });
  const audit = createAuditService({ db: deps.db, orgTimezone: deps.config.orgTimezone });
  const auth = createAuthService({ db: deps.db, clock: deps.clock, config: deps.config, rateLimiter, tokens });
  const users = createUsersService({ db: deps.db, clock: deps.clock, config: deps.config, rateLimiter });
  const permissions = createPermissionsService({ db: deps.db, clock: deps.clock });
  const shifts = createShiftsService({ db: deps.db, clock: deps.clock, orgTimezone: deps.config.orgTimezone });
  const holidays = createHolidaysService({ db: deps.db, clock: deps.clock, orgTimezone: deps.config.orgTimezone });
  const corrections = createCorrectionsService({ db: deps.db, clock: deps.clock, config: deps.config });
  const attendanceExceptions = createExceptionsService({ db: deps.db, clock: deps.clock, config: deps.config });
  const attendanceSessions = createAttendanceSessions({ db: deps.db, clock: deps.clock, config: deps.config });
  const leaves = createLeavesService({ db: deps.db, clock: deps.clock, config: deps.config });
  const approvals = createApprovalsService({ db: deps.db });
  return { tokens, platform, rateLimiter, scheduler, idempotency, auth, departments, audit, users, permissions, shifts, holidays, corrections, attendanceExceptions, attendanceSessions, leaves, approvals };
}
export type Services = ReturnType<typeof createServices>;

export function createHandlers(services: Services): HandlerRegistry {
  return {
    ...platformHandlers(services.platform),
    ...authHandlers(services.auth),
    ...departmentHandlers(services.departments),
    ...auditHandlers(services.audit),
    ...usersHandlers(services.users),
    ...permissionsHandlers(services.permissions),
    ...shiftHandlers(services.shifts),
    ...holidayHandlers(services.holidays),
    ...correctionHandlers(services.corrections),
    ...exceptionHandlers(services.attendanceExceptions),
    ...attendanceSessionHandlers(services.attendanceSessions),
    ...leaveHandlers(services.leaves),
    ...approvalHandlers(services.approvals),
  };
}

/** Startup fails when an operation has no handler or a handler has no operation (05 §11). */
export function assertRegistryMatchesContract(operations: OperationInfo[], registry: Record<string, unknown>): void {
  const contract = new Set(operations.map((o) => o.operationId));
  const missing = [...contract].filter((id) => typeof registry[id] !== 'function');
  const orphans = Object.keys(registry).filter((id) => !contract.has(id));
  if (missing.length > 0 || orphans.length > 0) {
    throw new Error(`Handler registry does not match the contract. Missing handlers: [${missing.join(', ')}]; handlers without an operation: [${orphans.join(', ')}]`);
  }
}

function send(req: Request, res: Response, reply: AnyReply): void {
  for (const [name, value] of Object.entries({ ...req.meta.responseHeaders, ...reply.headers })) res.setHeader(name, value);
  res.status(reply.status);
  const body: unknown = reply.body;
  if (reply.status === 204 || body === undefined) {
    res.end();
  } else if (body instanceof Readable) {
    body.pipe(res);
  } else if (typeof body === 'string') {
    res.send(body);
  } else {
    res.json(body);
  }
}

/**
 * @param handlerOverrides replaces individual handlers of the real registry (tests force failures with it).
 * @throws Error when the registry does not match the contract's operations.
 */
export function createApp(deps: AppDeps, services = createServices(deps), handlerOverrides: Partial<HandlerRegistry> = {}) {
  const { config, logger } = deps;
  const spec = toRuntimeSpec(loadBundledSpec());
  const operations = listOperations(spec);
  const routes = new RouteTable(operations);
  const registry: HandlerRegistry = { ...createHandlers(services), ...handlerOverrides };
  assertRegistryMatchesContract(operations, registry);

  const authDeps = { db: deps.db, clock: deps.clock, tokens: services.tokens };
  const flood = new FloodGuard(config.rateLimits.generalPerUserPerMinute, config.rateLimits.generalPerIpPerMinute);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', false);
  app.set('query parser', 'simple');

  app.use(requestContext(config.trustedProxyHops));
  app.use(accessLog(logger));
  app.use(securityHeaders(config.appEnv === 'production'));
  app.use(cors(config.corsOrigins));

  // Route and method first (404/405), then media type (415), before any body is read (01 §3.4 order of checks).
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const { operation, allow } = routes.match(req.path, req.method);
    if (!operation) {
      if (allow) return next(new AppError(405, 'API_ERROR', 'Method not allowed.', [], { Allow: allow.join(', ') }));
      return next(notFound());
    }
    req.operation = operation;
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is('application/json')) {
      return next(new AppError(415, 'API_ERROR', 'Unsupported media type; send application/json.'));
    }
    next();
  });
  app.use(express.json({ limit: '1mb', strict: false, type: 'application/json' }));
  app.use(flood.anonymous());

  memoizeValidatorRouteCompilation();
  app.use(
    OpenApiValidator.middleware({
      apiSpec: spec as never,
      validateApiSpec: false,
      validateRequests: config.validateRequests ? { allowUnknownQueryParameters: false, coerceTypes: false, removeAdditional: false } : false,
      validateResponses: config.validateResponses ? { removeAdditional: false } : false,
      validateSecurity: { handlers: { bearerAuth: bearerAuthHandler(authDeps) } },
      validateFormats: true,
      // 'full' checks real calendar dates and times (2026-02-30 is refused), not only their shape.
      ajvFormats: { mode: 'full' },
      ignoreUndocumented: false,
      $refParser: { mode: 'dereference' },
    }),
  );

  app.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const operationId = req.operation!.operationId as OperationId;
      const maybeActor = req.headers.authorization !== undefined ? await actorOf(req, authDeps).catch(() => null) : null;
      if (maybeActor) flood.checkUser(maybeActor.userId);
      // Express 5's router resets req.params for every `app.use` layer; the validator's matched path params survive here.
      const params = (req as Request & { openapi?: { pathParams?: Record<string, string> } }).openapi?.pathParams ?? req.params;
      const ctx: HandlerContext<OperationId> = {
        params: params as never,
        query: req.query as never,
        body: req.body as never,
        headers: req.headers as never,
        get actor() {
          if (!maybeActor) throw new Error(`${operationId} read ctx.actor but the request is not authenticated`);
          return maybeActor;
        },
        maybeActor,
        meta: req.meta,
        req,
        res,
      };
      const handler = registry[operationId] as unknown as (ctx: HandlerContext<OperationId>) => Promise<AnyReply> | AnyReply;
      const key = req.operation!.idempotent ? req.headers['idempotency-key'] : undefined;
      if (typeof key === 'string' && maybeActor) {
        const stored = await services.idempotency.run(
          { userId: maybeActor.userId, operationId, key, body: req.body, pathParams: params },
          async () => handler(ctx),
        );
        for (const [name, value] of Object.entries(req.meta.responseHeaders)) res.setHeader(name, value);
        if (stored.replayed) res.setHeader('Idempotent-Replayed', 'true');
        res.status(stored.status);
        if (stored.bodyText === null) res.end();
        else res.json(JSON.parse(stored.bodyText)); // JSON.stringify of the parsed text reproduces it byte for byte
        return;
      }
      send(req, res, await handler(ctx));
    } catch (error) {
      next(error);
    }
  });

  app.use(errorHandler(logger));
  return { app, services, operations };
}

function accessLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.on('finish', () => {
      logger.info({
        requestId: req.meta.requestId,
        operationId: req.operation?.operationId,
        method: req.method,
        status: res.statusCode,
        durationMs: Number(process.hrtime.bigint() - req.meta.startedAt) / 1e6,
        userId: req.actor?.userId,
      });
    });
    next();
  };
}

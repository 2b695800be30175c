import type { Readable } from 'node:stream';
import type { Request, Response } from 'express';
import type { operations } from '../../generated/sdk/src/schema.ts';
import type { Actor } from '../auth/actor.ts';
import type { RequestMeta } from './request-context.ts';

/** Every operationId in the contract. A handler missing from the registry is a compile error. */
export type OperationId = keyof operations;
type Op<K extends OperationId> = operations[K];

type Part<T> = [T] extends [never] ? Record<string, never> : [T] extends [undefined] ? Record<string, never> : NonNullable<T>;
export type PathParams<K extends OperationId> = Part<Op<K>['parameters']['path']>;
export type QueryParams<K extends OperationId> = Part<Op<K>['parameters']['query']>;
export type HeaderParams<K extends OperationId> = Part<Op<K>['parameters']['header']>;
export type RequestBody<K extends OperationId> =
  NonNullable<Op<K>['requestBody']> extends { content: { 'application/json': infer B } } ? B : undefined;

type Responses<K extends OperationId> = Op<K>['responses'];
/** Statuses a handler may answer with; every other status is an error thrown as AppError. */
type ReplyStatus<K extends OperationId> = Extract<keyof Responses<K>, 200 | 201 | 202 | 204 | 503>;
type ContentOf<R> = R extends { content: { 'application/json': infer B } }
  ? B
  : R extends { content: { 'text/csv': unknown } }
    ? Readable | string
    : R extends { content: { 'text/html': unknown } }
      ? string
      : undefined;

export type Reply<K extends OperationId> = {
  [S in ReplyStatus<K>]: { status: S; body: ContentOf<Responses<K>[S]>; headers?: Record<string, string> };
}[ReplyStatus<K>];

/** What the dispatcher sends, whatever the operation. */
export interface AnyReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface HandlerContext<K extends OperationId> {
  params: PathParams<K>;
  query: QueryParams<K>;
  body: RequestBody<K>;
  headers: HeaderParams<K>;
  /** The authenticated caller. Reading it on a public operation is a programming error and throws. */
  actor: Actor;
  /** The caller if a valid access token was sent (public operations with optional auth, e.g. logout). */
  maybeActor: Actor | null;
  meta: RequestMeta;
  req: Request;
  res: Response;
}

export type Handler<K extends OperationId> = (ctx: HandlerContext<K>) => Promise<Reply<K>> | Reply<K>;
export type HandlerRegistry = { [K in OperationId]: Handler<K> };
/** A module's share of the registry. */
export type Handlers<K extends OperationId> = { [P in K]: Handler<P> };

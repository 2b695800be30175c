/**
 * Assertions on the response envelopes of 00 §Errors, shared by every suite: the one error body
 * `{ error: { code, message, details, requestId } }` with `requestId` equal to the `X-Request-Id` response header,
 * and the success counterpart `ok`.
 */
import { expect } from 'chai';
import type { ApiErrorBody } from '../../generated/sdk/src/index.ts';

export type Envelope = ApiErrorBody['error'];

/** What an SDK call resolves to (openapi-fetch): `data` on success, the parsed error body on failure. */
export interface ApiResult<T = unknown> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Optional parts of an error body to assert exactly. */
export interface ErrorExpectation {
  /** The `details[].field` list, in order. */
  fields?: string[];
  /** The `message`. */
  message?: string;
}

/**
 * Asserts an error response given its parsed body (raw `fetch`, or an SDK result taken apart): status, JSON media
 * type, the envelope's exact keys, `code`, a non-empty `message`, a `details` array, `requestId` = `X-Request-Id`,
 * and — when given — the exact detail fields (a plain array is shorthand for `{ fields }`) and message.
 */
export function expectErrorBody(
  response: Response,
  body: unknown,
  status: number,
  code: string,
  expected: string[] | ErrorExpectation = {},
): Envelope {
  const { fields, message }: ErrorExpectation = Array.isArray(expected) ? { fields: expected } : expected;
  expect(response.status, `status (body ${JSON.stringify(body)})`).to.equal(status);
  expect(response.headers.get('content-type')).to.match(/^application\/json/);
  expect(body).to.be.an('object').that.has.all.keys('error');
  const envelope = (body as ApiErrorBody).error;
  expect(envelope).to.have.all.keys('code', 'message', 'details', 'requestId');
  expect(envelope.code).to.equal(code);
  expect(envelope.message).to.be.a('string').that.is.not.empty;
  if (message !== undefined) expect(envelope.message).to.equal(message);
  expect(envelope.details).to.be.an('array');
  expect(envelope.requestId).to.be.a('string').that.is.not.empty;
  expect(envelope.requestId).to.equal(response.headers.get('x-request-id'));
  if (fields) expect(envelope.details.map((d) => d.field)).to.deep.equal(fields);
  return envelope;
}

/** {@link expectErrorBody} for an SDK result. */
export function expectError(result: ApiResult, status: number, code: string, expected?: string[] | ErrorExpectation): Envelope {
  return expectErrorBody(result.response, result.error, status, code, expected);
}

/** Asserts a success (`status`, no error body) and returns the body. */
export function ok<T>(result: ApiResult<T>, status = 200): T {
  expect(result.response.status, `status (body ${JSON.stringify(result.error)})`).to.equal(status);
  expect(result.error, JSON.stringify(result.error)).to.equal(undefined);
  return result.data as T;
}

/**
 * Client factory for the Workforce OS API, built on openapi-fetch. Paths and bodies are typed from the contract;
 * every error body is the envelope `{ error: { code, message, details, requestId } }`.
 */
import createClient, { type Client, type ClientOptions as FetchClientOptions, type Middleware } from 'openapi-fetch';
import { UNVERSIONED_PATHS } from './contract-facts.js';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';
export { API_VERSION, UNVERSIONED_PATHS } from './contract-facts.js';

/** The error envelope every failing response carries. */
export type ApiErrorBody = components['schemas']['ErrorEnvelope'];
export type ApiErrorCode = ApiErrorBody['error']['code'];

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

export interface ApiClientOptions {
  /** Origin of the API, e.g. `https://api.example.com` — without `/api/v1`. */
  baseUrl: string;
  /** Tokens to start with (e.g. restored from storage). */
  tokens?: Tokens | null;
  /** Called whenever the client obtains a new token pair (login is yours to pass to setTokens; refresh is automatic). */
  onTokens?: (tokens: Tokens | null) => void;
  /** Refresh once and retry when an authenticated request answers 401 (default true). */
  autoRefresh?: boolean;
  fetch?: FetchClientOptions['fetch'];
  headers?: FetchClientOptions['headers'];
}

export type ApiClient = Client<paths> & {
  /** Use these tokens for the following requests (null: anonymous). */
  setTokens(tokens: Tokens | null): void;
  getTokens(): Tokens | null;
};

/** Thrown by `unwrap` for an error response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(`${status} ${body.error.code}: ${body.error.message}`);
    this.name = 'ApiError';
  }
  get code(): ApiErrorCode {
    return this.body.error.code;
  }
}

/** Returns `data` of an openapi-fetch result, or throws ApiError with the envelope. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    throw new ApiError(result.response.status, result.error as ApiErrorBody);
  }
  return result.data as T;
}

const NO_REFRESH = new Set(['/auth/login', '/auth/refresh', '/auth/logout']);

export function createApiClient(options: ApiClientOptions): ApiClient {
  const origin = options.baseUrl.replace(/\/+$/, '');
  const versioned = `${origin}/api/v1`;
  const doFetch = options.fetch ?? globalThis.fetch;
  let tokens: Tokens | null = options.tokens ?? null;
  let refreshing: Promise<boolean> | null = null;
  const pending = new Map<string, Request>();

  const client = createClient<paths>({ baseUrl: versioned, fetch: doFetch, headers: options.headers });

  const setTokens = (next: Tokens | null) => {
    tokens = next;
    options.onTokens?.(next);
  };

  /** One refresh at a time; concurrent 401s wait for the same rotation. */
  const refresh = (): Promise<boolean> => {
    if (refreshing) return refreshing;
    const current = tokens;
    refreshing = (async () => {
      if (!current) return false;
      const response = await doFetch(
        new Request(`${versioned}/auth/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: current.refreshToken }),
        }),
      );
      if (!response.ok) {
        setTokens(null);
        return false;
      }
      const pair = (await response.json()) as Tokens;
      setTokens({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
      return true;
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  };

  const routing: Middleware = {
    onRequest({ request, schemaPath }) {
      if (!UNVERSIONED_PATHS.has(schemaPath)) return undefined;
      const url = new URL(request.url);
      url.pathname = url.pathname.replace(/^\/api\/v1/, '') || '/';
      return new Request(url, request);
    },
  };

  const auth: Middleware = {
    onRequest({ request, id, schemaPath }) {
      if (tokens && !request.headers.has('authorization')) {
        request.headers.set('authorization', `Bearer ${tokens.accessToken}`);
        if (options.autoRefresh !== false && !NO_REFRESH.has(schemaPath)) pending.set(id, request.clone());
      }
      return request;
    },
    async onResponse({ response, id }) {
      const original = pending.get(id);
      pending.delete(id);
      if (!original || response.status !== 401) return undefined;
      if (!(await refresh()) || !tokens) return undefined;
      const retry = new Request(original);
      retry.headers.set('authorization', `Bearer ${tokens.accessToken}`);
      return doFetch(retry);
    },
    onError({ id }) {
      pending.delete(id);
    },
  };

  client.use(routing, auth);
  return Object.assign(client, { setTokens, getTokens: () => tokens });
}

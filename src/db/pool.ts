import {
  createPool,
  SchemaValidationError,
  type DatabasePool,
  type DatabaseTransactionConnection,
  type DatabasePoolConnection,
  type Interceptor,
  type QueryResultRow,
} from 'slonik';
import { enablePreparedStatements } from './prepared-statements.ts';

export type Db = DatabasePool;
/** Anything that can run a query: the pool, a pooled connection or a transaction. Queries take this first. */
export type Queryable = DatabasePool | DatabasePoolConnection | DatabaseTransactionConnection;
export type Tx = DatabaseTransactionConnection;

const camelCache = new Map<string, string>();
function camelCase(name: string): string {
  let camel = camelCache.get(name);
  if (camel === undefined) {
    camel = name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    camelCache.set(name, camel);
  }
  return camel;
}

/**
 * snake_case columns become camelCase properties, then the row is validated by the query's zod
 * schema (`sql.type(Row)`), so a query that drifts from its row type fails loudly.
 */
const rowInterceptor: Interceptor = {
  name: 'camel-case-and-result-parser',
  transformRow: (context, query, row) => {
    const camel: Record<string, unknown> = {};
    for (const key of Object.keys(row)) camel[camelCase(key)] = row[key];
    const parser = context.resultParser;
    if (!parser) return camel as QueryResultRow;
    const result = parser.safeParse(camel);
    if (!result.success) throw new SchemaValidationError(query, camel as QueryResultRow, result.error.issues);
    return result.data as QueryResultRow;
  },
};

/** timestamptz → Date, int8/numeric → number, date → 'YYYY-MM-DD' (never shifted by a time zone). */
const typeParsers = [
  { name: 'int8', parse: (value: string) => Number.parseInt(value, 10) },
  { name: 'numeric', parse: (value: string) => Number.parseFloat(value) },
  { name: 'timestamptz', parse: (value: string) => new Date(Date.parse(value)) },
  { name: 'date', parse: (value: string) => value },
];

export interface PoolOptions {
  statementTimeoutMs: number;
  maximumPoolSize?: number;
}

/** One pool per process. */
export async function createDbPool(connectionUri: string, options: PoolOptions): Promise<Db> {
  enablePreparedStatements();
  return createPool(connectionUri, {
    interceptors: [rowInterceptor],
    typeParsers,
    statementTimeout: options.statementTimeoutMs,
    maximumPoolSize: options.maximumPoolSize ?? 10,
    idleTimeout: 10_000,
    connectionTimeout: 10_000,
    gracefulTerminationTimeout: 5_000,
    // Retrying would replay non-idempotent statements; callers decide.
    queryRetryLimit: 0,
    // slonik's default runs DISCARD ALL on every release: one more round trip per query. Nothing here leaves session
    // state behind (only SET LOCAL, transaction-scoped advisory locks, and job locks their holder releases), and
    // statement_timeout is a startup parameter that RESET would keep anyway.
    resetConnection: async () => undefined,
    transactionRetryLimit: 0,
  });
}

import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabasePool, DatabaseTransactionConnection } from 'slonik';

/**
 * A request may run inside one database transaction opened by the platform (an operation that accepts
 * `Idempotency-Key` stores its response in the same transaction as its effect, 05 §4). Services keep calling
 * `db.transaction(...)` / `db.one(...)`; while such a transaction is open, the scoped pool routes them into it
 * (nested transactions become savepoints), so a service never has to know.
 */
const current = new AsyncLocalStorage<DatabaseTransactionConnection>();

export function runInRequestTransaction<T>(tx: DatabaseTransactionConnection, fn: () => Promise<T>): Promise<T> {
  return current.run(tx, fn);
}

/** Runs `fn` outside any request transaction (denied-attempt audit rows must survive the request's rollback). */
export function outsideRequestTransaction<T>(fn: () => Promise<T>): Promise<T> {
  return current.exit(fn);
}

const METHODS = ['any', 'anyFirst', 'exists', 'many', 'manyFirst', 'maybeOne', 'maybeOneFirst', 'one', 'oneFirst', 'query', 'stream', 'transaction'] as const;

/** The pool, with its query methods routed into the request transaction when one is open. */
export function requestScopedPool(pool: DatabasePool): DatabasePool {
  const scoped = Object.create(pool) as Record<string, unknown>;
  for (const method of METHODS) {
    const direct = (pool[method] as (...args: unknown[]) => unknown).bind(pool);
    scoped[method] = (...args: unknown[]) => {
      const tx = current.getStore();
      return tx ? (tx[method] as (...a: unknown[]) => unknown)(...args) : direct(...args);
    };
  }
  scoped.connect = (routine: (connection: unknown) => Promise<unknown>) => {
    const tx = current.getStore();
    return tx ? routine(tx) : pool.connect(routine as never);
  };
  return scoped as unknown as DatabasePool;
}

/**
 * List pages (00 wire conventions): every list answers `{ items, total, limit, offset }`, read with the contract's
 * `Limit` (default 50) and `Offset` (default 0) parameters.
 */

/** One page of a list response. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** The `limit` / `offset` query parameters of a list request. */
export interface PageQuery {
  limit?: number;
  offset?: number;
}

/** The page size when a list request names none (the `Limit` parameter's default). */
export const DEFAULT_LIMIT = 50;

/** Which rows a page holds. */
export interface PageWindow {
  limit: number;
  offset: number;
}

/** The window of a list request, defaults applied. */
export function pageWindow(query: PageQuery): PageWindow {
  return { limit: query.limit ?? DEFAULT_LIMIT, offset: query.offset ?? 0 };
}

/** The page of `rows` (read through `window`, `total` matching overall), each row mapped to its wire object. */
export function toPage<R, T>(rows: readonly R[], total: number, toItem: (row: R) => T, window: PageWindow): Page<T> {
  return { items: rows.map((row) => toItem(row)), total, limit: window.limit, offset: window.offset };
}

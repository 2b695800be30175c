/**
 * Audit rows of an update hold the changed fields only (04 §4.6): `before` and `after` name the same fields, with
 * the stored and the new values.
 */

/** The named fields of `values` (typically the changed ones), in the order given. */
export function pickFields<V extends object, K extends keyof V>(values: V, fields: readonly K[]): Pick<V, K> {
  const out = {} as Pick<V, K>;
  for (const field of fields) out[field] = values[field];
  return out;
}

/**
 * Only the fields of `next` whose value differs from `current` (an absent value counts as null): the changes to
 * write, and `{ before, after }` for the audit row.
 */
export function changedFields<T extends string>(
  current: Record<T, string | null>,
  next: Partial<Record<T, string | null>>,
): { changes: Partial<Record<T, string | null>>; before: Record<string, unknown>; after: Record<string, unknown> } {
  const changes: Partial<Record<T, string | null>> = {};
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const field of Object.keys(next) as T[]) {
    const value = next[field] ?? null;
    if (value === current[field]) continue;
    changes[field] = value;
    before[field] = current[field];
    after[field] = value;
  }
  return { changes, before, after };
}

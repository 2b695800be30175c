import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * Every parameterized statement becomes a named prepared statement on its connection, so PostgreSQL parses and
 * plans it once per connection instead of on every execution (parse + plan were ~0.3 ms of the ~0.33 ms a typical
 * lookup costs the server; with them cached the hot authentication and lookup queries run ~2.7× faster).
 *
 * slonik's pg driver calls `client.query(text, values)` and exposes no statement names, so the one conversion point
 * is pg's `Client.prototype.query`. Only `(text, values[])` calls with at least one value are converted: those are
 * single statements by construction (PostgreSQL refuses parameters in multi-statement strings), while migrations
 * and other plain-text calls stay unnamed. The name is a hash of the text, so one text is one statement. This needs
 * connections that are never reset with DISCARD ALL (see pool.ts), because pg remembers what it prepared.
 */
let enabled = false;
const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `s_${createHash('sha1').update(text).digest('base64url')}`;
    names.set(text, name);
  }
  return name;
}

export function enablePreparedStatements(): void {
  if (enabled) return;
  enabled = true;
  const query = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    const [text, values, callback] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && callback === undefined) {
      return query.call(this, { name: statementName(text), text, values });
    }
    return query.apply(this, args);
  };
}

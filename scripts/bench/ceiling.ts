/**
 * The ceiling of 05 §9: a bare `node:http` + `pg` server doing the same number of indexed lookups per request as the
 * scenario it stands beside (`/?queries=N`), so benchmark results are ratios that survive a noisy machine.
 * Usage: node --import tsx scripts/bench/ceiling.ts <databaseUrl> <userId> <sessionId>
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

const [databaseUrl, userId, sessionId] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });

const server = http.createServer(async (req, res) => {
  const queries = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('queries') ?? '1');
  try {
    let row: unknown = null;
    for (let i = 0; i < queries; i++) {
      // Named statements, like the API's (src/db/prepared-statements.ts): the ceiling is the best a bare server does.
      const { rows } =
        i === 0
          ? await pool.query({
              name: 'session',
              text: 'SELECT u.id, u.role, u.status FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND s.revoked_at IS NULL',
              values: [sessionId],
            })
          : await pool.query({ name: 'user', text: 'SELECT id, email, full_name, role, status, manager_id, department_id FROM users WHERE id = $1', values: [userId] });
      row = rows[0];
    }
    const body = JSON.stringify(row);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } catch (error) {
    res.writeHead(500);
    res.end(String(error));
  }
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));

/**
 * The yardstick for the intake benchmark: a bare Fastify + pg endpoint doing one INSERT per request,
 * in its own process like the app. Started by bench/intake.ts; not part of Anxin.
 */
import Fastify from 'fastify';
import pg from 'pg';
import { randomUUID } from 'node:crypto';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
await pool.query(
  'create table if not exists bare_intake (id uuid primary key, body jsonb not null, created_at timestamptz not null default now())',
);
const app = Fastify({ logger: false });
app.post('/bare', async (request, reply) => {
  await pool.query('insert into bare_intake (id, body) values ($1, $2)', [
    randomUUID(),
    JSON.stringify(request.body),
  ]);
  return reply.status(201).send({ ok: true });
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0));
});

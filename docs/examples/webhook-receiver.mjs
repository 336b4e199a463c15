// A receiver for Anxin webhooks in plain Node.js (no packages). Run: WEBHOOK_SECRET=whsec_… node webhook-receiver.mjs
import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { URL } from 'node:url';

/** True when `header` (Anxin-Signature: t=…,v1=…) signs `rawBody` with `secret` and is at most 5 minutes old. */
export function verifyAnxinSignature(secret, rawBody, header, toleranceSeconds = 300) {
  const parts = Object.fromEntries(
    String(header)
      .split(',')
      .map((part) => part.split('=', 2)),
  );
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex'));
  const given = Buffer.from(String(parts.v1 ?? ''));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const seen = new Set(); // delivery ids already handled (keep these in your database)

export function startReceiver(secret, port = 8080) {
  return createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8'); // verify the raw bytes, before parsing
      if (!verifyAnxinSignature(secret, rawBody, req.headers['anxin-signature']))
        return res.writeHead(400).end();
      const delivery = req.headers['anxin-delivery'];
      if (!seen.has(delivery)) {
        seen.add(delivery);
        const event = JSON.parse(rawBody); // { id, type, createdAt, organisationId, data: { applicationId, … } }
        process.stdout.write(`${event.type} ${JSON.stringify(event.data)}\n`);
      }
      res.writeHead(204).end(); // any 2xx: delivered; anything else is retried with back-off
    });
  }).listen(port);
}

if (process.argv[1] === new URL(import.meta.url).pathname)
  startReceiver(process.env.WEBHOOK_SECRET ?? '', Number(process.env.PORT ?? 8080));

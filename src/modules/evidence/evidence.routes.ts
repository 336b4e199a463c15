/**
 * The evidence module: the tus upload endpoint (survivors and staff, authorised by an upload grant) and the
 * staff JSON API (list, download, preview, custody, export bundle). Registers `app.evidence` (the service).
 */
import { downloadFileName, uploadFileName } from './file-names.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, type Upload } from '@tus/utils';
import { Server } from '@tus/server';
import { Type } from 'typebox';
import { AppError, notFound } from '../../platform/errors.ts';
import { localeFromAcceptLanguage, type Locale } from '../../platform/i18n/catalog.ts';
import './backup-source.ts';
import { exportBundle } from './bundle.ts';
import { parseRange } from './evidence.read.ts';
import { EVIDENCE_RECORD, reachableItems, registerEvidenceAccess } from './evidence.access.ts';
import { verifyChain } from './custody.ts';
import {
  assertChecked,
  DELETE_OBJECTS_TOPIC,
  EvidenceService,
  isUuid,
  SCAN_TOPIC,
} from './evidence.service.ts';
import { EVIDENCE_TYPES, formatBytes, isEvidenceType } from './evidence.types.ts';
import { threadSessionLive } from '../help/help.journal-session.ts';
import { GRANT_HEADER, verifyGrant, type UploadGrant } from './grant.ts';
import { EvidenceRefusal } from './refusal.ts';
import { Quarantine } from './quarantine.ts';
import { createScanner, describeScanner } from './scanner.ts';
import { createStorage } from './storage/index.ts';
import { journalGrantApi } from './journal.grant-api.ts';
import { journalRoutes } from './journal.routes.tsx';
import { EncryptedDataStore, RECORD_KEY, tusError, type NewUploadRecord } from './tus-store.ts';
import { registerErasureParts } from '../help/help.erasure-api.ts';
import { countOwned, eraseOwnerVault, removeObjects } from './evidence.erase.ts';

declare module 'fastify' {
  interface FastifyInstance {
    evidence: EvidenceService;
    evidenceQuarantine: Quarantine;
  }
}

export const UPLOAD_PATH = '/api/evidence/uploads';
const SWEEP_EVERY_MS = 10 * 60 * 1000;

type TusRequest = { headers: Headers; method: string };

function localeOf(request: TusRequest): Locale {
  return localeFromAcceptLanguage(request.headers.get('accept-language') ?? undefined);
}

/** The signed-in staff member, as the custody log names them. Identity's session loader sets `request.staff`. */
export function staffActor(request: FastifyRequest): string {
  const staff = (request as unknown as { staff?: { accountId?: unknown } }).staff;
  if (!staff || typeof staff.accountId !== 'string') throw new AppError('UNAUTHENTICATED');
  return `staff:${staff.accountId}`;
}

const ItemBody = Type.Object({
  id: Type.String({ format: 'uuid' }),
  journalEntryId: Type.Union([Type.String(), Type.Null()]),
  evidenceType: Type.Union(EVIDENCE_TYPES.map((t) => Type.Literal(t))),
  incidentDate: Type.Union([Type.String(), Type.Null()]),
  filename: Type.String(),
  description: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  mediaType: Type.String(),
  hasPreview: Type.Boolean(),
  uploadedBy: Type.String(),
  uploadedAt: Type.String({ format: 'date-time' }),
  scanState: Type.Union([Type.Literal('pending'), Type.Literal('clean'), Type.Literal('infected')], {
    description:
      'pending: awaiting the malware check (cannot be opened, bundled or shared yet); infected: refused by a later check, bytes removed',
  }),
});

export async function evidenceModule(app: FastifyInstance): Promise<void> {
  const config = app.config.evidence;
  const storage = await createStorage(config);
  const scanner = createScanner(config);
  const log = app.log.child({ module: 'evidence' });
  const service = new EvidenceService(app.db, app.keyring, storage, scanner, config, log);
  const quarantine = new Quarantine(
    app.db,
    app.keyring,
    storage,
    scanner,
    service.slots,
    log,
    describeScanner(config),
  );
  app.decorate('evidence', service);
  // Her deletion (help) erases her vault through this part.
  registerErasureParts(app, {
    countOwned,
    eraseVault: eraseOwnerVault,
    removeObjects: (prefixes) => removeObjects(service, prefixes),
  });
  // A verdict clamd gives after the upload was listed (a large file) is recorded as the scan job would.
  service.lateVerdict = (evidenceId, verdict) => {
    quarantine
      .scanItem(evidenceId, verdict)
      .catch((error: unknown) =>
        log.warn(
          { err: error, evidenceId },
          'a late scan verdict was not recorded; the scan job checks it later',
        ),
      );
  };
  app.decorate('evidenceQuarantine', quarantine);
  app.readiness.set('scanner', () => quarantine.status());
  registerEvidenceAccess(app);
  app.jobs.handle(DELETE_OBJECTS_TOPIC, async (payload) => {
    const prefix = payload.prefix;
    if (typeof prefix !== 'string' || !/^(uploads|items)\/[0-9a-f-]{32,36}\/$/.test(prefix)) return;
    await storage.deletePrefix(prefix);
  });
  // Items stored while no scanner answered: scanned once it does (a failure is retried with back-off).
  app.jobs.handle(SCAN_TOPIC, async (payload) => {
    const id = payload.evidenceId;
    if (typeof id === 'string' && isUuid(id)) await quarantine.scanItem(id);
  });
  const grantKey = app.keyring.deriveKey('evidence-upload');
  const datastore = new EncryptedDataStore(
    app.db,
    app.keyring,
    storage,
    (trx, record, size) => service.checkOwnerQuota(trx, record.ownerRef, size),
    () => service.sweepExpiredUploads(),
    (id) => service.recoverUpload(id),
    service.passes,
  );
  // Uploads whose completion pass died with an earlier process (kill -9, power loss) become items now,
  // without waiting for her client to come back.
  app.addHook('onReady', async () => {
    // Says at start-up whether the scanner is configured and answering; then keeps watching it.
    await quarantine.watch();
    service
      .recoverInterruptedUploads()
      .catch((error: unknown) =>
        app.log.warn({ err: error }, 'finishing interrupted evidence uploads failed'),
      );
  });
  app.addHook('onClose', async () => {
    service.passes.stop();
    await quarantine.stop();
  });
  let lastSweep = 0;

  /** A grant signed by us, not expired, and — when issued in her thread session — that session still open. */
  async function liveGrant(token: string | null): Promise<UploadGrant> {
    const grant = verifyGrant(grantKey, token);
    if (
      !grant ||
      (grant.threadSessionId !== null && !(await threadSessionLive(app.db, grant.threadSessionId)))
    ) {
      throw new EvidenceRefusal('EVIDENCE_GRANT_INVALID', 401, 'evidence.refused.grant');
    }
    return grant;
  }

  const tus = new Server({
    path: UPLOAD_PATH,
    datastore,
    relativeLocation: true,
    allowedOrigins: [new URL(app.config.publicUrl).origin],
    allowedHeaders: [GRANT_HEADER],
    exposedHeaders: [
      'Anxin-Evidence-Id',
      'Anxin-Evidence-Sha256',
      'Anxin-Evidence-Check-Ms',
      'Anxin-Evidence-Scan',
    ],
    // Requests are only answered for a valid grant whose owner owns the upload.
    async onIncomingRequest(req, uploadId) {
      const grant = await liveGrant(req.headers.get(GRANT_HEADER));
      if (req.method === 'POST') return;
      const owner = await app.db
        .selectFrom('evidence_upload')
        .select('owner_ref')
        .where('id', '=', uploadId)
        .unionAll(app.db.selectFrom('evidence_item').select('owner_ref').where('upload_id', '=', uploadId))
        .executeTakeFirst();
      if (owner && owner.owner_ref !== grant.ownerRef) throw tusError(ERRORS.FILE_NOT_FOUND);
    },
    async onUploadCreate(req, upload: Upload) {
      const grant = await liveGrant(req.headers.get(GRANT_HEADER));
      const size = upload.size ?? 0;
      if (size > config.maxFileBytes) {
        throw new EvidenceRefusal('EVIDENCE_TOO_LARGE', 413, 'evidence.refused.tooLarge', {
          limit: formatBytes(config.maxFileBytes),
        });
      }
      const meta = upload.metadata ?? {};
      const field = (name: string): string =>
        (typeof meta[name] === 'string' ? (meta[name] ?? '') : '').normalize('NFC').trim();
      const bad = (
        key:
          | 'evidence.field.filename'
          | 'evidence.field.evidenceType'
          | 'evidence.field.description'
          | 'evidence.field.incidentDate',
      ) => new EvidenceRefusal('EVIDENCE_METADATA', 400, 'evidence.refused.metadata', { field: key });
      if (field('filename').length > 255) throw bad('evidence.field.filename');
      const filename = uploadFileName(field('filename'));
      const evidenceType = field('evidenceType') || 'other';
      if (!isEvidenceType(evidenceType)) throw bad('evidence.field.evidenceType');
      const description = field('description');
      if (description.length > 4000) throw bad('evidence.field.description');
      const incidentDate = field('incidentDate') || null;
      if (incidentDate !== null) {
        const parsed = /^\d{4}-\d{2}-\d{2}$/.test(incidentDate)
          ? new Date(`${incidentDate}T00:00:00Z`)
          : undefined;
        if (
          !parsed ||
          Number.isNaN(parsed.getTime()) ||
          parsed.toISOString().slice(0, 10) !== incidentDate ||
          parsed.getTime() > Date.now() + 86_400_000
        ) {
          throw bad('evidence.field.incidentDate');
        }
      }
      if (Date.now() - lastSweep > SWEEP_EVERY_MS) {
        // Unfinished uploads past their expiry are removed (rows and encrypted segments) as new ones start.
        lastSweep = Date.now();
        service
          .sweepExpiredUploads()
          .catch((error: unknown) =>
            app.log.warn({ err: error }, 'sweeping expired evidence uploads failed'),
          );
      }
      const record: NewUploadRecord = {
        ownerRef: grant.ownerRef,
        uploadedBy: grant.uploadedBy,
        journalEntryId: grant.journalEntryId,
        evidenceType,
        incidentDate,
        locale: localeOf(req),
        meta: { filename, claimedType: field('filetype').slice(0, 200), description },
      };
      return { metadata: { [RECORD_KEY]: JSON.stringify(record) } };
    },
    async onUploadFinish(_req, upload: Upload) {
      const { item, checkMs } = await service.finishUpload(upload.id);
      return {
        headers: {
          'Anxin-Evidence-Id': item.id,
          'Anxin-Evidence-Sha256': item.sha256,
          'Anxin-Evidence-Check-Ms': String(checkMs),
          'Anxin-Evidence-Scan': item.scanState,
        },
      };
    },
    onResponseError(req, error) {
      if (error instanceof EvidenceRefusal) return error.toTus(localeOf(req));
      const status = (error as { status_code?: unknown }).status_code;
      if (status === 404 || status === 410) {
        return new EvidenceRefusal('EVIDENCE_UPLOAD_GONE', status, 'evidence.refused.gone').toTus(
          localeOf(req),
        );
      }
      if (error instanceof Error && !('status_code' in error)) {
        app.log.error({ err: error }, 'evidence upload request failed');
        return new EvidenceRefusal('EVIDENCE_FAILED', 500, 'evidence.refused.failed').toTus(localeOf(req));
      }
      return undefined;
    },
  });

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // The tus server writes the raw response: carry over the headers set so far (security headers, request id).
    for (const [name, value] of Object.entries(reply.getHeaders()))
      if (value !== undefined) reply.raw.setHeader(name, value);
    reply.hijack();
    await tus.handle(request.raw, reply.raw);
  };
  const tusAccess = {
    public: true as const,
    reason:
      'survivors upload without a staff session; every request is authorised by a short-lived signed upload grant (Anxin-Upload-Grant)',
  };
  // No `headers` schema: the app's validator removes properties a schema does not list, and tus needs them all.
  const grantNote =
    ' Every request carries the Anxin-Upload-Grant header (from EvidenceService.createUploadForOwner).';

  await app.register(async (scope) => {
    // tus bodies are streamed by @tus/server itself: Fastify must not read them.
    scope.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) => done(null));
    scope.route({
      method: 'POST',
      url: UPLOAD_PATH,
      config: { access: tusAccess },
      schema: {
        operationId: 'createEvidenceUpload',
        tags: ['evidence'],
        summary: 'Start a resumable upload (tus 1.0.0 creation)',
        description:
          'tus protocol (https://tus.io/protocols/resumable-upload): send Tus-Resumable: 1.0.0, Upload-Length and Upload-Metadata ' +
          '(base64 values: filename, filetype, evidenceType, description, incidentDate YYYY-MM-DD). Answers 201 with Location. ' +
          'Refusals answer JSON { error: { code, message } } in the Accept-Language.' +
          grantNote,
      },
      handler: handle,
    });
    for (const [method, operationId, summary] of [
      ['HEAD', 'getEvidenceUploadOffset', 'How many bytes of an upload are stored (tus Upload-Offset)'],
      [
        'PATCH',
        'appendEvidenceUpload',
        'Send the next bytes (application/offset+octet-stream); the last one answers Anxin-Evidence-Id, Anxin-Evidence-Sha256 and Anxin-Evidence-Scan (clean, or pending: received and awaiting the malware check)',
      ],
      [
        'DELETE',
        'cancelEvidenceUpload',
        'Cancel an upload and remove everything it stored (tus termination)',
      ],
    ] as const) {
      scope.route({
        method,
        url: `${UPLOAD_PATH}/:uploadId`,
        config: { access: tusAccess },
        schema: {
          operationId,
          tags: ['evidence'],
          summary,
          description: `tus 1.0.0.${grantNote}`,
          params: Type.Object({ uploadId: Type.String({ pattern: '^[0-9a-f]{32}$' }) }),
        },
        handler: handle,
      });
    }
    for (const url of [UPLOAD_PATH, `${UPLOAD_PATH}/:uploadId`]) {
      scope.route({
        method: 'OPTIONS',
        url,
        config: { access: { public: true, reason: 'tus capability discovery and CORS preflight' } },
        schema: { hide: true },
        handler: handle,
      });
    }
  });

  // Her journal in the portal (pages and JSON API); the no-JavaScript upload writes into the same encrypted store.
  const journal = journalRoutes(app, service, datastore);
  journalGrantApi(app, service, journal);

  app.get<{ Querystring: { owner: string } }>(
    '/api/evidence',
    {
      config: { access: { action: 'evidence.read' } },
      schema: {
        operationId: 'listEvidence',
        tags: ['evidence'],
        summary: 'The evidence items of one owner (a case)',
        querystring: Type.Object({ owner: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: Type.Object({ items: Type.Array(ItemBody) }) },
      },
    },
    async (request) => {
      staffActor(request);
      const items = await service.listForOwner(request.query.owner);
      const reachable = await reachableItems(
        request,
        'evidence.read',
        items.map((i) => i.id),
      );
      return { items: items.filter((i) => reachable.has(i.id)) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/evidence/:id/file',
    {
      config: { access: { action: 'evidence.read', record: EVIDENCE_RECORD } },
      compress: false,
      schema: {
        operationId: 'getEvidenceFile',
        tags: ['evidence'],
        summary:
          'Download the original file, byte for byte, or one byte range of it (Range: bytes=a-b, a-, -n: 206, so a viewer can seek in a video); every read is logged in the custody log',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: {
          416: Type.Null({
            description: 'The range asked for lies outside the file (Content-Range: bytes */size)',
          }),
        },
      },
    },
    async (request, reply) => {
      const actor = staffActor(request);
      const header = request.headers.range;
      let unsatisfiable: number | undefined;
      const opened = await service
        .openOriginal(request.params.id, actor, 'download', (size) => {
          const range = parseRange(header, size);
          if (range === 'unsatisfiable') {
            unsatisfiable = size;
            throw new RangeNotSatisfiable();
          }
          return range;
        })
        .catch((error: unknown) => {
          if (error instanceof RangeNotSatisfiable) return 'unsatisfiable' as const;
          throw error;
        });
      if (opened === 'unsatisfiable')
        return reply
          .code(416)
          .header('content-range', `bytes */${unsatisfiable ?? 0}`)
          .header('accept-ranges', 'bytes')
          .header('cache-control', 'no-store')
          .send();
      if (!opened) throw notFound();
      const { item, range } = opened;
      reply
        .header('content-type', item.mediaType)
        .header('accept-ranges', 'bytes')
        .header('content-disposition', contentDisposition(item.filename, item.extension))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-store')
        .header('anxin-evidence-sha256', item.sha256);
      if (range)
        reply
          .code(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${item.size}`)
          .header('content-length', String(range.end - range.start + 1));
      else reply.header('content-length', String(item.size));
      return reply.send(opened.stream);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/evidence/:id/preview',
    {
      config: { access: { action: 'evidence.read', record: EVIDENCE_RECORD } },
      compress: false,
      schema: {
        operationId: 'getEvidencePreview',
        tags: ['evidence'],
        summary: 'A small preview of an image, without location or other metadata (logged as a view)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      },
    },
    async (request, reply) => {
      const actor = staffActor(request);
      const stream = await service.openPreview(request.params.id, actor);
      if (!stream) throw notFound();
      return reply.header('content-type', 'image/webp').header('cache-control', 'no-store').send(stream);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/evidence/:id/custody',
    {
      config: { access: { action: 'evidence.read', record: EVIDENCE_RECORD } },
      schema: {
        operationId: 'getEvidenceCustody',
        tags: ['evidence'],
        summary: 'The custody log of one item and whether its hash chain is intact',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      },
    },
    async (request) => {
      staffActor(request);
      if (!isUuid(request.params.id) || !(await service.getItem(request.params.id))) throw notFound();
      const entries = await service.custodyOf(request.params.id);
      return { intact: verifyChain(entries).ok, entries };
    },
  );

  app.post<{ Body: { evidenceIds: string[]; reason?: string } }>(
    '/api/evidence/exports',
    {
      config: { access: { action: 'evidence.export' } },
      compress: false,
      schema: {
        operationId: 'exportEvidenceBundle',
        tags: ['evidence'],
        summary:
          'A signed ZIP bundle for a court: originals, manifest (sizes, SHA-256, custody logs) and an Ed25519 signature',
        body: Type.Object({
          evidenceIds: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 500 }),
          reason: Type.Optional(Type.String({ maxLength: 500 })),
        }),
      },
    },
    async (request, reply) => {
      const actor = staffActor(request);
      // Every item must exist and be within the caller's reach (her case, or shared with their court); else 404.
      const reachable = await reachableItems(request, 'evidence.export', request.body.evidenceIds);
      for (const id of request.body.evidenceIds) {
        const item = reachable.has(id) ? await service.getItem(id) : undefined;
        if (!item || item.scanState === 'infected') throw notFound();
        assertChecked(item.scanState);
      }
      const bundle = await exportBundle(app.db, app.keyring, service, {
        evidenceIds: request.body.evidenceIds,
        actor,
        reason: request.body.reason,
      });
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${bundle.filename}"`)
        .header('cache-control', 'no-store')
        .send(bundle.stream);
    },
  );
}

class RangeNotSatisfiable extends Error {}

export function contentDisposition(filename: string, extension: string): string {
  const name = downloadFileName(filename, extension);
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

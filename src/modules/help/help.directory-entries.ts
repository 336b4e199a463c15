/**
 * The directory's admin use cases (issue 14), one set for the staff pages (`/staff/directory`) and the JSON
 * API (`/api/directory/entries`): add, edit, retire and restore an entry, each with its audit event in the
 * transaction that makes the change, and the admin list (retired entries included), cursor-paginated.
 * Bad input is a VALIDATION error naming each field, and stores nothing.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { decodeCursor, encodeCursor, pageSize } from '../../platform/cursor.ts';
import { AppError } from '../../platform/errors.ts';
import { auditActorFrom, recordAudit, type AuditActor } from '../../platform/audit.ts';
import { parseDirectoryEntryForm, changedFields } from './help.directory-form.ts';
import { DIRECTORY_KINDS, type DirectoryKind } from './help.model.ts';
import { directoryAdminEntry, type DirectoryAdminEntry, type HelpService } from './help.service.ts';

type Values = Parameters<typeof parseDirectoryEntryForm>[0];

/** Add an entry (shown on the portal at once); answers its id. */
export async function createDirectoryEntry(
  app: FastifyInstance,
  service: HelpService,
  actor: AuditActor,
  values: Values,
): Promise<string> {
  const { entry, problems } = parseDirectoryEntryForm(values);
  if (!entry) throw new AppError('VALIDATION', { fields: problems });
  return app.db.transaction().execute(async (trx) => {
    const id = await service.saveDirectoryEntryIn(trx, entry);
    await recordAudit(trx, {
      event: 'help.directory_entry_created',
      actor,
      record: { type: 'help_directory_entry', id },
      details: { kind: entry.kind, province: entry.province },
    });
    return id;
  });
}

/** The entry, for admins (retired ones too), or NOT_FOUND. */
export async function directoryEntryOr404(service: HelpService, id: string): Promise<DirectoryAdminEntry> {
  const entry = await service.getDirectoryEntryForAdmin(id);
  if (!entry) throw new AppError('NOT_FOUND');
  return entry;
}

/** Change an entry's fields (its status stays as it is); the audit event names the fields that changed. */
export async function updateDirectoryEntry(
  app: FastifyInstance,
  service: HelpService,
  actor: AuditActor,
  id: string,
  values: Values,
): Promise<void> {
  const before = await directoryEntryOr404(service, id);
  const { entry, problems } = parseDirectoryEntryForm(values);
  if (!entry) throw new AppError('VALIDATION', { fields: problems });
  await app.db.transaction().execute(async (trx) => {
    await service.saveDirectoryEntryIn(trx, { ...entry, id: before.id, active: before.active });
    await recordAudit(trx, {
      event: 'help.directory_entry_updated',
      actor,
      record: { type: 'help_directory_entry', id: before.id },
      details: { kind: entry.kind, province: entry.province, changed: changedFields(before, entry) },
    });
  });
}

/** Retire (hide from the portal) or restore an entry; nothing changes, and nothing is audited, if it already is. */
export async function setDirectoryEntryActive(
  app: FastifyInstance,
  service: HelpService,
  actor: AuditActor,
  id: string,
  active: boolean,
): Promise<void> {
  const before = await directoryEntryOr404(service, id);
  if (active === before.active) return;
  await app.db.transaction().execute(async (trx) => {
    await service.saveDirectoryEntryIn(trx, { ...before, kind: before.kind as DirectoryKind, active });
    await recordAudit(trx, {
      event: active ? 'help.directory_entry_restored' : 'help.directory_entry_retired',
      actor,
      record: { type: 'help_directory_entry', id: before.id },
      details: { kind: before.kind, province: before.province },
    });
  });
}

/** Every entry (retired ones too) in id order, one page; filters by province, kind and status. */
export async function listDirectoryEntriesPage(
  app: FastifyInstance,
  filter: { province?: string; kind?: string; active?: boolean; cursor?: string; limit?: number },
): Promise<{ items: DirectoryAdminEntry[]; nextCursor: string | null }> {
  const limit = pageSize(filter.limit, 50, 200);
  const after = filter.cursor !== undefined ? decodeCursor(filter.cursor, ['id']).id : undefined;
  if (after !== undefined && !/^[1-9][0-9]{0,17}$/.test(after))
    throw new AppError('VALIDATION', { fields: [{ field: 'cursor', message: 'validation.format' }] });
  let query = app.db.selectFrom('help_directory_entry').selectAll();
  if (filter.province) query = query.where('province', '=', filter.province);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.active !== undefined) query = query.where('active', '=', filter.active);
  if (after !== undefined) query = query.where('id', '>', after);
  const rows = await query
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(directoryAdminEntry),
    nextCursor: rows.length > limit && last ? encodeCursor({ id: String(last.id) }) : null,
  };
}

// ---- JSON API ----

const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
    requestId: Type.String(),
  }),
});
const errors = { 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse };
const Opt = (max: number) => Type.Optional(Type.Union([Type.String({ maxLength: max }), Type.Null()]));
const EntryBody = Type.Object(
  {
    kind: Type.Union(DIRECTORY_KINDS.map((k) => Type.Literal(k))),
    province: Type.String({
      pattern: '^[0-9]{2}$',
      description: 'GB/T 2260 province code, or 00 (national)',
    }),
    nameZh: Type.String({ maxLength: 100 }),
    nameEn: Type.String({ maxLength: 160 }),
    cityZh: Opt(40),
    cityEn: Opt(60),
    phone: Opt(20),
    addressZh: Opt(200),
    hoursZh: Opt(100),
    hoursEn: Opt(160),
  },
  { additionalProperties: false },
);
const Nullable = Type.Union([Type.String(), Type.Null()]);
const EntrySchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  province: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  cityZh: Nullable,
  cityEn: Nullable,
  phone: Nullable,
  addressZh: Nullable,
  hoursZh: Nullable,
  hoursEn: Nullable,
  active: Type.Boolean(),
  updatedAt: Type.String({ format: 'date-time' }),
});
const IdParams = Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }) });
const ListQuery = Type.Object(
  {
    province: Type.Optional(Type.String({ pattern: '^[0-9]{2}$' })),
    kind: Type.Optional(Type.Union(DIRECTORY_KINDS.map((k) => Type.Literal(k)))),
    active: Type.Optional(Type.Boolean()),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);
const StatusBody = Type.Object({ active: Type.Boolean() }, { additionalProperties: false });

/** JSON values → the form's shape (null and absent are both "empty"), for the one parser. */
const asValues = (body: Static<typeof EntryBody>): Values =>
  Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v ?? '']));

const access = { access: { action: 'help.directory.manage' } } as const;
const tags = ['help'];

export function directoryAdminApi(app: FastifyInstance, service: HelpService): void {
  app.get(
    '/api/directory/entries',
    {
      config: access,
      schema: {
        operationId: 'listDirectoryEntriesForAdmin',
        tags,
        summary:
          'Every directory entry, retired ones included (platform admins), in id order, cursor-paginated',
        querystring: ListQuery,
        response: {
          200: Type.Object({ items: Type.Array(EntrySchema), nextCursor: Nullable }),
          ...errors,
        },
      },
    },
    async (request) => listDirectoryEntriesPage(app, request.query as Static<typeof ListQuery>),
  );

  app.post(
    '/api/directory/entries',
    {
      config: access,
      schema: {
        operationId: 'createDirectoryEntry',
        tags,
        summary: 'Add a service to the directory (shown on "Help near you" and "Hotline" at once)',
        body: EntryBody,
        response: { 201: EntrySchema, ...errors },
      },
    },
    async (request, reply) => {
      const id = await createDirectoryEntry(
        app,
        service,
        auditActorFrom(request),
        asValues(request.body as Static<typeof EntryBody>),
      );
      return reply.status(201).send(await directoryEntryOr404(service, id));
    },
  );

  app.get(
    '/api/directory/entries/:id',
    {
      config: access,
      schema: {
        operationId: 'getDirectoryEntryForAdmin',
        tags,
        summary: 'One directory entry (retired ones too)',
        params: IdParams,
        response: { 200: EntrySchema, ...errors },
      },
    },
    async (request) => directoryEntryOr404(service, (request.params as { id: string }).id),
  );

  app.put(
    '/api/directory/entries/:id',
    {
      config: access,
      schema: {
        operationId: 'updateDirectoryEntry',
        tags,
        summary: 'Change a directory entry (its status stays as it is)',
        params: IdParams,
        body: EntryBody,
        response: { 200: EntrySchema, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      await updateDirectoryEntry(
        app,
        service,
        auditActorFrom(request),
        id,
        asValues(request.body as Static<typeof EntryBody>),
      );
      return directoryEntryOr404(service, id);
    },
  );

  app.put(
    '/api/directory/entries/:id/status',
    {
      config: access,
      schema: {
        operationId: 'setDirectoryEntryStatus',
        tags,
        summary: 'Retire an entry (hidden from the portal) or restore it',
        params: IdParams,
        body: StatusBody,
        response: { 200: EntrySchema, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      await setDirectoryEntryActive(
        app,
        service,
        auditActorFrom(request),
        id,
        (request.body as Static<typeof StatusBody>).active,
      );
      return directoryEntryOr404(service, id);
    },
  );
}

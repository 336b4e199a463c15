/**
 * The directory of services, maintained by admins in the staff console (`/staff/directory`): list, add, edit,
 * retire and restore the entries the portal shows on "Help near you" and "Hotline". Every change is an audit
 * event in the transaction that makes it; bad input re-renders the form with the problems and stores nothing.
 *
 * Who: platform admins, over every entry. Organisation admins get no grant: an entry is placed only by its
 * province (or `00`, national) and belongs to no organisation, so the policy's `region` scope (the record's
 * code starts with the organisation's 6-digit code) would never match a provincial entry, and national entries
 * — the numbers every survivor sees — should be vetted in one place. See docs/survivor-portal.md.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { Type, type Static } from 'typebox';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import type { MessageKey } from '../../platform/i18n/catalog.ts';
import { sendPage } from '../../platform/render/page.tsx';
import { auditActorFrom } from '../../platform/audit.ts';
import { CsrfField, Notice, StaffBar } from '../identity/components.tsx';
import { extendAccessPolicy, type ActionRule } from '../../platform/access-policy.ts';
import { DIRECTORY_KINDS, PROVINCES } from './help.model.ts';
import { FIELDS, LIMITS, REQUIRED, type Field, type Values } from './help.directory-form.ts';
import type { DirectoryAdminEntry, HelpService } from './help.service.ts';
import {
  createDirectoryEntry,
  directoryAdminApi,
  setDirectoryEntryActive,
  updateDirectoryEntry,
} from './help.directory-entries.ts';
import { ErrorSummary, SelectField, TextField, formErrors, portal, type FormErrors } from './help.views.tsx';

declare module '../../platform/audit.ts' {
  interface AuditEventDetails {
    'help.directory_entry_created': { kind: string; province: string };
    /** `changed`: the names of the fields that changed (never their values). */
    'help.directory_entry_updated': { kind: string; province: string; changed: string[] };
    'help.directory_entry_retired': { kind: string; province: string };
    'help.directory_entry_restored': { kind: string; province: string };
  }
}

export const DIRECTORY_ADMIN_POLICY = {
  'help.directory.manage': { roles: { platform_admin: 'all' } },
} as const satisfies Record<string, ActionRule>;

const BASE = '/staff/directory';
const access = { access: { action: 'help.directory.manage' } } as const;
const LABELS: Record<Field, MessageKey> = {
  kind: 'help.dirAdmin.kind',
  province: 'help.dirAdmin.province',
  nameZh: 'help.dirAdmin.nameZh',
  nameEn: 'help.dirAdmin.nameEn',
  cityZh: 'help.dirAdmin.cityZh',
  cityEn: 'help.dirAdmin.cityEn',
  phone: 'help.dirAdmin.phone',
  addressZh: 'help.dirAdmin.addressZh',
  hoursZh: 'help.dirAdmin.hoursZh',
  hoursEn: 'help.dirAdmin.hoursEn',
};

// Loose shapes on purpose: every field is checked below so the form can say what is wrong, in her language.
const EntryForm = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
  ...Object.fromEntries(FIELDS.map((f) => [f, Type.Optional(Type.String({ maxLength: 2000 }))])),
});
const StatusForm = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
  active: Type.Union([Type.Literal('yes'), Type.Literal('no')]),
});
const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
const ListQuery = Type.Object({
  province: Type.Optional(Type.Union([Type.Literal(''), Type.String({ pattern: '^[0-9]{2}$' })])),
  done: Type.Optional(Type.Union([Type.Literal('saved'), Type.Literal('retired'), Type.Literal('restored')])),
});

function staffPage(
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  body: ComponentChildren,
  status = 200,
) {
  return sendPage(request, reply, {
    survivor: false,
    status,
    title,
    body: (
      <>
        <StaffBar request={request} />
        {body}
      </>
    ),
  });
}

function provinceOptions(request: FastifyRequest) {
  return [
    { value: '00', label: request.t('help.dirAdmin.national') },
    ...PROVINCES.map((p) => ({ value: p.code, label: request.locale === 'en' ? p.en : p.zh })),
  ];
}

function EntryFields({
  request,
  values,
  errors,
}: {
  request: FastifyRequest;
  values: Values;
  errors: FormErrors;
}) {
  const t = request.t.bind(request);
  const opt = t('help.form.optional');
  const text = (f: Field, extra: { type?: string; inputMode?: 'tel' } = {}) => (
    <TextField
      id={f}
      label={t(LABELS[f])}
      value={values[f]}
      errors={errors}
      maxLength={LIMITS[f]}
      required={REQUIRED.includes(f)}
      optionalLabel={REQUIRED.includes(f) ? undefined : opt}
      {...extra}
    />
  );
  return (
    <>
      <SelectField
        id="kind"
        label={t(LABELS.kind)}
        value={values.kind}
        errors={errors}
        options={DIRECTORY_KINDS.map((k) => ({ value: k, label: t(`help.kind.${k}` as MessageKey) }))}
        empty="—"
      />
      <SelectField
        id="province"
        label={t(LABELS.province)}
        value={values.province}
        errors={errors}
        options={provinceOptions(request)}
        empty="—"
      />
      {text('nameZh')}
      {text('nameEn')}
      {text('cityZh')}
      {text('cityEn')}
      {text('phone', { type: 'tel', inputMode: 'tel' })}
      {text('addressZh')}
      {text('hoursZh')}
      {text('hoursEn')}
    </>
  );
}

export function directoryAdminPages(app: FastifyInstance, service: HelpService): void {
  extendAccessPolicy(DIRECTORY_ADMIN_POLICY);
  directoryAdminApi(app, service);
  app.staffConsoleLinks.push({
    action: 'help.directory.manage',
    href: BASE,
    label: 'help.dirAdmin.consoleLink',
  });

  const labels = (request: FastifyRequest) =>
    Object.fromEntries(FIELDS.map((f) => [f, request.t(LABELS[f])]));

  function formPage(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { entry?: DirectoryAdminEntry; values: Values; problems?: FieldProblem[]; status?: number },
  ) {
    const { entry } = options;
    const p = portal(request, false);
    const errors = formErrors(request, options.problems ?? []);
    const title = request.t(entry ? 'help.dirAdmin.edit' : 'help.dirAdmin.add');
    const csrf = request.staff?.csrfToken ?? '';
    return staffPage(
      request,
      reply,
      title,
      <div class="admin">
        <p>
          <a href={request.localePath(BASE)}>{request.t('help.dirAdmin.back')}</a>
        </p>
        <h1>{title}</h1>
        {entry ? (
          <p class={entry.active ? 'ok' : 'note'}>
            {request.t(entry.active ? 'help.dirAdmin.active' : 'help.dirAdmin.retired')}
          </p>
        ) : null}
        <form
          method="post"
          action={request.localePath(entry ? `${BASE}/${entry.id}` : `${BASE}/new`)}
          novalidate
        >
          <CsrfField token={csrf} />
          <ErrorSummary p={p} errors={errors} labels={labels(request)} />
          <EntryFields request={request} values={options.values} errors={errors} />
          <p>
            <button class="button" type="submit">
              {request.t('help.dirAdmin.save')}
            </button>
          </p>
        </form>
        {entry ? (
          <form method="post" action={request.localePath(`${BASE}/${entry.id}/status`)}>
            <CsrfField token={csrf} />
            <input type="hidden" name="active" value={entry.active ? 'no' : 'yes'} />
            <button class={entry.active ? 'button danger' : 'button secondary'} type="submit">
              {request.t(entry.active ? 'help.dirAdmin.retire' : 'help.dirAdmin.restore')}
            </button>
          </form>
        ) : null}
      </div>,
      options.status ?? 200,
    );
  }

  const valuesOf = (e: DirectoryAdminEntry): Values => Object.fromEntries(FIELDS.map((f) => [f, e[f] ?? '']));
  const entryOr404 = async (request: FastifyRequest) => {
    const entry = await service.getDirectoryEntryForAdmin((request.params as { id: string }).id);
    if (!entry) throw new AppError('NOT_FOUND');
    return entry;
  };

  app.get(
    BASE,
    { config: access, schema: { hide: true, querystring: ListQuery } },
    async (request, reply) => {
      const query = request.query as Static<typeof ListQuery>;
      const entries = await service.listDirectoryForAdmin({ province: query.province || undefined });
      const place = (e: DirectoryAdminEntry) => {
        const province = provinceOptions(request).find((o) => o.value === e.province)?.label ?? e.province;
        const city = request.locale === 'en' ? (e.cityEn ?? e.cityZh) : e.cityZh;
        return city ? `${province} · ${city}` : province;
      };
      const done =
        query.done &&
        (
          {
            saved: 'help.dirAdmin.saved',
            retired: 'help.dirAdmin.retiredDone',
            restored: 'help.dirAdmin.restoredDone',
          } as const
        )[query.done];
      return staffPage(
        request,
        reply,
        request.t('help.dirAdmin.title'),
        <div class="admin">
          <h1>{request.t('help.dirAdmin.title')}</h1>
          <p class="lead">{request.t('help.dirAdmin.lead')}</p>
          {done ? <Notice>{request.t(done)}</Notice> : null}
          <p>
            <a class="button" href={request.localePath(`${BASE}/new`)}>
              {request.t('help.dirAdmin.add')}
            </a>
          </p>
          <form method="get" action={request.localePath(BASE)} role="search">
            <SelectField
              id="province"
              label={request.t('help.dirAdmin.filter')}
              value={query.province}
              errors={new Map()}
              options={provinceOptions(request)}
              empty={request.t('help.dirAdmin.allProvinces')}
            />
            <button class="button secondary" type="submit">
              {request.t('help.dirAdmin.show')}
            </button>
          </form>
          <p role="status">
            {entries.length
              ? request.t('help.dirAdmin.count', { count: entries.length })
              : request.t('help.dirAdmin.none')}
          </p>
          {entries.length ? (
            <div class="table-scroll">
              <table class="directory-admin">
                <thead>
                  <tr>
                    <th scope="col">{request.t('help.dirAdmin.colName')}</th>
                    <th scope="col">{request.t('help.dirAdmin.colKind')}</th>
                    <th scope="col">{request.t('help.dirAdmin.colPlace')}</th>
                    <th scope="col">{request.t('help.dirAdmin.colPhone')}</th>
                    <th scope="col">{request.t('help.dirAdmin.colStatus')}</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((e) => (
                    <tr class={e.active ? undefined : 'retired'}>
                      <td>
                        <a href={request.localePath(`${BASE}/${e.id}`)}>
                          {request.locale === 'en' ? e.nameEn : e.nameZh}
                        </a>
                      </td>
                      <td>{request.t(`help.kind.${e.kind}` as MessageKey)}</td>
                      <td>{place(e)}</td>
                      <td>{e.phone ?? ''}</td>
                      <td>{request.t(e.active ? 'help.dirAdmin.active' : 'help.dirAdmin.retired')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>,
      );
    },
  );

  app.get(`${BASE}/new`, { config: access, schema: { hide: true } }, async (request, reply) =>
    formPage(request, reply, { values: {} }),
  );

  app.post(
    `${BASE}/new`,
    { config: { ...access, operation: 'createDirectoryEntry' }, schema: { hide: true, body: EntryForm } },
    async (request, reply) => {
      const body = request.body as Values;
      try {
        await createDirectoryEntry(app, service, auditActorFrom(request), body);
      } catch (error) {
        const problems = validationProblems(error);
        return formPage(request, reply, { values: body, problems, status: 400 });
      }
      return reply.redirect(request.localePath(`${BASE}?done=saved`), 303);
    },
  );

  app.get(
    `${BASE}/:id`,
    { config: access, schema: { hide: true, params: IdParams } },
    async (request, reply) => {
      const entry = await entryOr404(request);
      return formPage(request, reply, { entry, values: valuesOf(entry) });
    },
  );

  app.post(
    `${BASE}/:id`,
    {
      config: { ...access, operation: 'updateDirectoryEntry' },
      schema: { hide: true, params: IdParams, body: EntryForm },
    },
    async (request, reply) => {
      const before = await entryOr404(request);
      const body = request.body as Values;
      try {
        await updateDirectoryEntry(app, service, auditActorFrom(request), before.id, body);
      } catch (error) {
        const problems = validationProblems(error);
        return formPage(request, reply, { entry: before, values: body, problems, status: 400 });
      }
      return reply.redirect(request.localePath(`${BASE}?done=saved`), 303);
    },
  );

  app.post(
    `${BASE}/:id/status`,
    {
      config: { ...access, operation: 'setDirectoryEntryStatus' },
      schema: { hide: true, params: IdParams, body: StatusForm },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const active = (request.body as Static<typeof StatusForm>).active === 'yes';
      await setDirectoryEntryActive(app, service, auditActorFrom(request), id, active);
      return reply.redirect(request.localePath(`${BASE}?done=${active ? 'restored' : 'retired'}`), 303);
    },
  );
}

/** The field problems of a VALIDATION error (the form shows them); anything else is thrown on. */
function validationProblems(error: unknown): FieldProblem[] {
  if (error instanceof AppError && error.code === 'VALIDATION') return error.options.fields ?? [];
  throw error;
}

/**
 * A child's path to help (`/help/new/child`): the same help request (HelpService.createHelpRequest, the same rules
 * and consent record), asked in words a 10-year-old understands — what to write, who will read it, what happens
 * next, that we will not contact a parent who hurts her — with nothing else to fill in (replies only on the site,
 * no phone), and a way back she can keep: five simple words instead of a 12-digit secret (help.words.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { FieldProblem } from '../../platform/errors.ts';
import { sendPage } from '../../platform/render/page.tsx';
import { echoValues, type FormBody } from './help.forms.ts';
import {
  SUBMISSIONS_PER_HOUR,
  helpRequestProblems,
  type AgeBand,
  type HelpRequestInput,
} from './help.model.ts';
import { formatSecret, type HelpService } from './help.service.ts';
import {
  Checkbox,
  ErrorSummary,
  FieldError,
  Hint,
  NeutralField,
  RadioGroup,
  describedBy,
  formErrors,
  portal,
  type Portal,
} from './help.views.tsx';

const FormBodySchema = Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 20_000 }), {
  maxProperties: 20,
});

/** Her answers → the help request a child sends: replies on the site only, the child's secret of five words. */
function childRequest(body: FormBody): { input: HelpRequestInput; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const ageBand: AgeBand | undefined = body.age === 'under_14' || body.age === '14_17' ? body.age : undefined;
  if (body.age !== undefined && body.age !== '' && !ageBand)
    problems.push({ field: 'age', message: 'validation.choice' });
  const guardian = body.guardian === 'yes' ? true : body.guardian === 'no' ? false : undefined;
  const input: HelpRequestInput = {
    requestType: 'domestic_violence',
    narrative: typeof body.narrative === 'string' ? body.narrative : '',
    ...(ageBand ? { ageBand } : {}),
    minor: true,
    forms: [],
    ...(guardian !== undefined
      ? { guardianMayBeAbuser: guardian, ...(guardian ? { relationship: 'parent_to_child' as const } : {}) }
      : {}),
    contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
    consentSensitive: body.consentSensitive === 'on',
    neutralTitles: body.n === '1',
    wordSecret: true,
  };
  problems.push(
    ...helpRequestProblems(input).map((p) =>
      p.message === 'help.validation.consent' ? { ...p, message: 'help.child.consentNeeded' as const } : p,
    ),
  );
  return { input, problems };
}

function ChildForm({
  p,
  values,
  problems,
  request,
}: {
  p: Portal;
  values: Record<string, string>;
  problems: FieldProblem[];
  request: FastifyRequest;
}) {
  const t = p.t;
  const errors = formErrors(request, problems);
  const yesNo = [
    { value: 'yes', label: t('help.form.yes') },
    { value: 'no', label: t('help.form.no') },
  ];
  return (
    <form method="post" action={p.action('/help/new/child')} autocomplete="off" novalidate>
      <NeutralField p={p} />
      <ErrorSummary
        p={p}
        errors={errors}
        labels={{
          narrative: t('help.child.narrative'),
          consentSensitive: t('help.child.consentTitle'),
          age: t('help.child.age'),
        }}
      />
      <div class={errors.has('narrative') ? 'field invalid' : 'field'}>
        <label for="narrative">{t('help.child.narrative')}</label>
        <Hint id="narrative-hint">{t('help.child.narrativeHint')}</Hint>
        <FieldError id="narrative" errors={errors} />
        <textarea
          id="narrative"
          name="narrative"
          rows={6}
          maxLength={5000}
          required
          autocomplete="off"
          aria-invalid={errors.has('narrative') ? 'true' : undefined}
          aria-describedby={describedBy('narrative', errors)}
        >
          {values.narrative ?? ''}
        </textarea>
      </div>
      <RadioGroup
        name="age"
        legend={t('help.child.age')}
        value={values.age}
        errors={errors}
        options={[
          { value: 'under_14', label: t('help.child.under14') },
          { value: '14_17', label: t('help.child.from14') },
        ]}
        optionalLabel={t('help.child.skip')}
      />
      <RadioGroup
        name="guardian"
        legend={t('help.new.guardian')}
        hint={t('help.new.guardianWhy')}
        value={values.guardian}
        errors={errors}
        options={yesNo}
        optionalLabel={t('help.child.skip')}
      />
      <h2>{t('help.child.consentTitle')}</h2>
      <ul class="consent">
        <li>{t('help.child.whoSees')}</li>
        <li>{t('help.child.whatNext')}</li>
        <li>{t('help.child.police')}</li>
        <li>{t('help.child.delete')}</li>
      </ul>
      <Checkbox
        id="consentSensitive"
        label={t('help.child.consent')}
        checked={values.consentSensitive === 'on'}
        errors={errors}
      />
      <p>
        <button class="button" type="submit">
          {t('help.child.submit')}
        </button>
      </p>
    </form>
  );
}

export function childHelpPages(app: FastifyInstance, service: HelpService): void {
  const render = (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, string>,
    problems: FieldProblem[],
    status: number,
  ) => {
    const p = portal(request);
    return sendPage(request, reply, {
      title: p.t('help.child.title'),
      neutralTitle: p.neutral,
      status,
      languagePath: '/help/new/child',
      body: (
        <>
          <h1>{p.t('help.child.title')}</h1>
          <p class="lead">{p.t('help.child.lead')}</p>
          <ChildForm p={p} values={values} problems={problems} request={request} />
        </>
      ),
    });
  };

  app.get(
    '/help/new/child',
    {
      config: { access: { public: true, reason: 'the children’s help form must be open to everyone' } },
      schema: { hide: true, querystring: Type.Object({ n: Type.Optional(Type.Literal('1')) }) },
    },
    async (request, reply) => {
      if (app.hasDecorator('helpUsage')) app.helpUsage.pageView(request);
      return render(request, reply, {}, [], 200);
    },
  );

  app.post(
    '/help/new/child',
    {
      config: {
        access: { public: true, reason: 'anonymous help requests from children' },
        // Its twin: createHelpRequest with `minor`, `ageBand`, `guardianMayBeAbuser` and `secretKind: 'words'`.
        operation: 'createHelpRequest',
        rateLimit: { max: SUBMISSIONS_PER_HOUR, timeWindow: 60 * 60_000 },
      },
      schema: { hide: true, body: FormBodySchema },
    },
    async (request, reply) => {
      const body = request.body as FormBody;
      const { input, problems } = childRequest(body);
      if (problems.length) return render(request, reply, echoValues(body), problems, 400);
      const created = await service.createHelpRequest(input, request.locale);
      const p = portal(request, input.neutralTitles === true);
      const t = p.t;
      return sendPage(request, reply, {
        title: t('help.child.created.title'),
        neutralTitle: p.neutral,
        status: 201,
        languagePath: '/help/new/child',
        body: (
          <>
            <h1>{t('help.child.created.title')}</h1>
            <p class="lead">{t('help.child.created.lead')}</p>
            <dl class="credentials">
              <dt>{t('help.created.code')}</dt>
              <dd id="case-code" lang="en">
                {created.caseCode}
              </dd>
              <dt>{t('help.child.created.words')}</dt>
              <dd id="case-secret">{formatSecret(created.secret, request.locale)}</dd>
            </dl>
            <p class="callout">{t('help.child.created.keep')}</p>
            <p>{t('help.child.whatNext')}</p>
            <p>
              <a class="button" href={p.href('/help/thread')}>
                {t('help.created.open')}
              </a>
            </p>
          </>
        ),
      });
    },
  );
}

/**
 * Signing in and out, accepting an invitation, enrolling TOTP, the console home and one's own account.
 * Pages are staff pages (`survivor: false`) and never cached; every form posts back to the same origin
 * with the session's form token once a session exists.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { Type } from 'typebox';
import { csrfTokenFor } from '../../platform/csrf.ts';
import { AppError } from '../../platform/errors.ts';
import type { MessageKey } from '../../platform/i18n/catalog.ts';
import { localePath } from '../../platform/i18n/request-locale.ts';
import { sendPage } from '../../platform/render/page.tsx';
import { requireStaff } from '../../platform/access-guard.ts';
import { auditActorFrom } from '../../platform/audit.ts';
import { CsrfField, FormError, Notice, StaffBar } from './components.tsx';
import {
  acceptInvitation,
  confirmTotpEnrolment,
  findInvitation,
  signInWithPassword,
  verifySecondFactor,
  type IdentityDeps,
} from './identity.service.ts';
import { listOwnPasskeys, setOwnLocale } from './own-account.ts';
import { MIN_PASSWORD_LENGTH } from './passwords.ts';
import { grantedScope } from '../../platform/access-policy.ts';
import { clearSessionCookie, loadStaffSession, setSessionCookie } from './sessions.ts';
import { secondFactorsOf, signOut, signOutEverywhere, totpEnrolment } from './sign-in.ts';

/** A link on the console home, shown to those whose roles grant its action (other modules add theirs). */
export interface ConsoleLink {
  action: string;
  href: string;
  label: MessageKey;
}

declare module 'fastify' {
  interface FastifyInstance {
    staffConsoleLinks: ConsoleLink[];
  }
}

const FormToken = { _csrf: Type.Optional(Type.String({ maxLength: 200 })) };

function staffPage(
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  body: preact.ComponentChildren,
  status = 200,
  scripts: string[] = [],
): FastifyReply {
  return sendPage(request, reply, {
    survivor: false,
    status,
    title,
    scripts,
    body: (
      <>
        <StaffBar request={request} />
        {body}
      </>
    ),
  });
}

function signInPage(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { error?: string; notice?: string; email?: string; status?: number } = {},
): FastifyReply {
  return staffPage(
    request,
    reply,
    request.t('identity.signIn.title'),
    <>
      <h1>{request.t('identity.signIn.title')}</h1>
      <p class="lead">{request.t('identity.signIn.lead')}</p>
      {options.notice && <Notice>{options.notice}</Notice>}
      {options.error && <FormError>{options.error}</FormError>}
      <form method="post" action={request.localePath('/staff/sign-in')} class="stack">
        <label for="email">{request.t('identity.field.email')}</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="username"
          required
          maxLength={254}
          value={options.email ?? ''}
        />
        <label for="password">{request.t('identity.field.password')}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          maxLength={200}
        />
        <button type="submit" class="button">
          {request.t('identity.signIn.submit')}
        </button>
      </form>
      <p class="hint">{request.t('identity.signIn.help')}</p>
    </>,
    options.status,
  );
}

async function verifyPage(
  request: FastifyRequest,
  reply: FastifyReply,
  error?: string,
  status = 200,
): Promise<FastifyReply> {
  const staff = requireStaff(request);
  const hasPasskey = (await secondFactorsOf(request.server.db, staff.accountId)).includes('passkey');
  return staffPage(
    request,
    reply,
    request.t('identity.verify.title'),
    <>
      <h1>{request.t('identity.verify.title')}</h1>
      <p class="lead">{request.t('identity.verify.lead')}</p>
      {error && <FormError>{error}</FormError>}
      <form method="post" action={request.localePath('/staff/sign-in/verify')} class="stack">
        <CsrfField token={staff.csrfToken} />
        <label for="code">{request.t('identity.field.code')}</label>
        <input
          id="code"
          name="code"
          type="text"
          inputMode="numeric"
          autocomplete="one-time-code"
          required
          maxLength={20}
          autofocus
        />
        <button type="submit" class="button">
          {request.t('identity.verify.submit')}
        </button>
      </form>
      <p class="hint">{request.t('identity.verify.recoveryHint')}</p>
      {hasPasskey && (
        <p>
          <button
            type="button"
            class="button secondary"
            id="passkey-sign-in"
            data-csrf={staff.csrfToken}
            data-failed={request.t('identity.passkey.failed')}
            data-unsupported={request.t('identity.passkey.unsupported')}
            hidden
          >
            {request.t('identity.passkey.use')}
          </button>
        </p>
      )}
      <p class="form-error" id="passkey-error" role="alert" hidden></p>
    </>,
    status,
    hasPasskey ? [request.server.assets.url('passkey.js')] : [],
  );
}

async function enrolPage(
  deps: IdentityDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  error?: string,
  status = 200,
): Promise<FastifyReply> {
  const staff = requireStaff(request);
  const { secret, otpauthUri } = await totpEnrolment(deps, staff.sessionId, staff.organisationName);
  const qr = await QRCode.toDataURL(otpauthUri, {
    margin: 1,
    width: 240,
    errorCorrectionLevel: 'M',
  });
  const grouped = secret.match(/.{1,4}/g)?.join(' ') ?? secret;
  return staffPage(
    request,
    reply,
    request.t('identity.enrol.title'),
    <>
      <h1>{request.t('identity.enrol.title')}</h1>
      <p class="lead">{request.t('identity.enrol.lead')}</p>
      {error && <FormError>{error}</FormError>}
      <ol class="steps">
        <li>{request.t('identity.enrol.step1')}</li>
        <li>
          {request.t('identity.enrol.step2')}
          <div class="qr">
            <img src={qr} width={240} height={240} alt={request.t('identity.enrol.qrAlt')} />
          </div>
          <p>
            {request.t('identity.enrol.manual')} <code class="secret">{grouped}</code>
          </p>
        </li>
        <li>{request.t('identity.enrol.step3')}</li>
      </ol>
      <form method="post" action={request.localePath('/staff/totp/enrol')} class="stack">
        <CsrfField token={staff.csrfToken} />
        <label for="code">{request.t('identity.field.code')}</label>
        <input
          id="code"
          name="code"
          type="text"
          inputMode="numeric"
          autocomplete="one-time-code"
          required
          maxLength={20}
        />
        <button type="submit" class="button">
          {request.t('identity.enrol.submit')}
        </button>
      </form>
    </>,
    status,
  );
}

function passwordProblemMessage(request: FastifyRequest, problem: string): string {
  switch (problem) {
    case 'tooShort':
      return request.t('identity.password.tooShort', { min: MIN_PASSWORD_LENGTH });
    case 'tooLong':
      return request.t('identity.password.tooLong');
    case 'common':
      return request.t('identity.password.common');
    case 'personal':
      return request.t('identity.password.personal');
    case 'repetitive':
      return request.t('identity.password.repetitive');
    default:
      return request.t('identity.password.mismatch');
  }
}

/** A throttled guess: tell the client (and only this client) when to try again. */
function retryAfter(reply: FastifyReply, seconds: number): FastifyReply {
  return reply.header('retry-after', String(seconds));
}

function afterSignInPath(request: FastifyRequest, locale: 'zh-CN' | 'en', path: string): string {
  // The staff member's stored language wins over the URL they happened to sign in from.
  return localePath(locale, path);
}

export function authRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  app.get(
    '/staff/sign-in',
    {
      config: {
        access: { public: true, reason: 'staff must be able to reach the sign-in page before signing in' },
      },
      schema: {
        hide: true,
        querystring: Type.Object({
          ended: Type.Optional(
            Type.Union([Type.Literal('timeout'), Type.Literal('ended'), Type.Literal('signed-out')]),
          ),
        }),
      },
    },
    async (request, reply) => {
      const { ended } = request.query as { ended?: 'timeout' | 'ended' | 'signed-out' };
      const staff = await loadStaffSession(request, app.db, app.sessionKeys);
      if (staff?.stage === 'full') return reply.redirect(request.localePath('/staff'), 303);
      const notice =
        ended === 'timeout'
          ? request.t('identity.signIn.timedOut')
          : ended === 'ended'
            ? request.t('identity.signIn.ended')
            : ended === 'signed-out'
              ? request.t('identity.signIn.signedOut')
              : undefined;
      return signInPage(request, reply, notice ? { notice } : {});
    },
  );

  app.post(
    '/staff/sign-in',
    {
      config: {
        access: {
          public: true,
          reason:
            'the first sign-in step checks the password; wrong passwords are throttled per network and account',
        },
        operation: 'staffSignIn',
      },
      schema: {
        hide: true,
        body: Type.Object({
          email: Type.String({ minLength: 1, maxLength: 254 }),
          password: Type.String({ minLength: 1, maxLength: 1000 }),
        }),
      },
    },
    async (request, reply) => {
      const body = request.body as { email: string; password: string };
      const result = await signInWithPassword(deps, body, {
        ip: request.ip,
        userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
      });
      if (!result.ok) {
        return result.why === 'throttled'
          ? signInPage(request, retryAfter(reply, result.retryAfterSeconds), {
              error: request.t('identity.signIn.throttled', { seconds: result.retryAfterSeconds }),
              email: body.email,
              status: 429,
            })
          : signInPage(request, reply, {
              error: request.t('identity.signIn.invalid'),
              email: body.email,
              status: 401,
            });
      }
      setSessionCookie(request, reply, result.session.token);
      return reply.redirect(
        request.localePath(result.next === 'mfa' ? '/staff/sign-in/verify' : '/staff/totp/enrol'),
        303,
      );
    },
  );

  app.get(
    '/staff/sign-in/verify',
    { config: { access: { action: 'identity.signIn.verify' } }, schema: { hide: true } },
    async (request, reply) => {
      if (requireStaff(request).stage === 'full') return reply.redirect(request.localePath('/staff'), 303);
      return verifyPage(request, reply);
    },
  );

  app.post(
    '/staff/sign-in/verify',
    {
      config: { access: { action: 'identity.signIn.verify' }, operation: 'verifyStaffSignIn' },
      schema: {
        hide: true,
        body: Type.Object({ ...FormToken, code: Type.String({ minLength: 1, maxLength: 40 }) }),
      },
    },
    async (request, reply) => {
      const staff = requireStaff(request);
      if (staff.stage !== 'mfa') return reply.redirect(request.localePath('/staff'), 303);
      const { code } = request.body as { code: string };
      const result = await verifySecondFactor(
        deps,
        staff.sessionId,
        staff.accountId,
        code,
        auditActorFrom(request),
      );
      if (!result.ok) {
        if (result.why === 'throttled')
          return verifyPage(
            request,
            retryAfter(reply, result.retryAfterSeconds),
            request.t('identity.signIn.throttled', { seconds: result.retryAfterSeconds }),
            429,
          );
        return verifyPage(
          request,
          reply,
          request.t(result.why === 'reused' ? 'identity.verify.reused' : 'identity.verify.wrong'),
          401,
        );
      }
      setSessionCookie(request, reply, result.session.token);
      return reply.redirect(afterSignInPath(request, staff.locale, '/staff'), 303);
    },
  );

  app.get(
    '/staff/totp/enrol',
    { config: { access: { action: 'identity.totp.enrol' } }, schema: { hide: true } },
    async (request, reply) => enrolPage(deps, request, reply),
  );

  app.post(
    '/staff/totp/enrol',
    {
      config: { access: { action: 'identity.totp.enrol' }, operation: 'confirmTotpEnrolment' },
      schema: {
        hide: true,
        body: Type.Object({ ...FormToken, code: Type.String({ minLength: 1, maxLength: 40 }) }),
      },
    },
    async (request, reply) => {
      const staff = requireStaff(request);
      const { code } = request.body as { code: string };
      const result = await confirmTotpEnrolment(
        deps,
        staff.sessionId,
        staff.accountId,
        code,
        auditActorFrom(request),
      );
      if (!result.ok) {
        if (result.why === 'throttled')
          return enrolPage(
            deps,
            request,
            retryAfter(reply, result.retryAfterSeconds),
            request.t('identity.signIn.throttled', { seconds: result.retryAfterSeconds }),
            429,
          );
        return enrolPage(deps, request, reply, request.t('identity.enrol.wrong'), 400);
      }
      setSessionCookie(request, reply, result.session.token);
      // The recovery codes are shown once, on this response only; they are stored hashed.
      request.staff = {
        ...staff,
        sessionId: result.session.id,
        stage: 'full',
        csrfToken: csrfTokenFor(app.csrfKey, result.session.id),
      };
      return staffPage(
        request,
        reply,
        request.t('identity.recovery.title'),
        <>
          <h1>{request.t('identity.recovery.title')}</h1>
          <Notice>{request.t('identity.enrol.done')}</Notice>
          <p class="lead">{request.t('identity.recovery.lead')}</p>
          <ul class="recovery-codes">
            {result.recoveryCodes.map((c) => (
              <li>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          <p>
            <a class="button" href={afterSignInPath(request, staff.locale, '/staff')}>
              {request.t('identity.recovery.continue')}
            </a>
          </p>
        </>,
      );
    },
  );

  app.get(
    '/staff/invite/:token',
    {
      config: {
        access: {
          public: true,
          reason: 'an invitation link is opened before the invited person has an account to sign in with',
        },
      },
      schema: { hide: true, params: Type.Object({ token: Type.String({ maxLength: 100 }) }) },
    },
    async (request, reply) => {
      const { token } = request.params as { token: string };
      const invitation = await findInvitation(deps, token);
      if (!invitation)
        return staffPage(
          request,
          reply,
          request.t('identity.invite.title'),
          <FormError>{request.t('identity.invite.gone')}</FormError>,
          404,
        );
      return invitePage(request, reply, token, invitation);
    },
  );

  function invitePage(
    request: FastifyRequest,
    reply: FastifyReply,
    token: string,
    invitation: { displayName: string; organisationName: string; email: string },
    error?: string,
    status = 200,
  ): FastifyReply {
    return staffPage(
      request,
      reply,
      request.t('identity.invite.title'),
      <>
        <h1>{request.t('identity.invite.title')}</h1>
        <p class="lead">
          {request.t('identity.invite.lead', {
            name: invitation.displayName,
            organisation: invitation.organisationName,
          })}
        </p>
        {error && <FormError>{error}</FormError>}
        <form method="post" action={request.localePath(`/staff/invite/${token}`)} class="stack">
          <input type="hidden" name="username" autocomplete="username" value={invitation.email} />
          <label for="password">{request.t('identity.field.newPassword')}</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="new-password"
            required
            minLength={MIN_PASSWORD_LENGTH}
            maxLength={200}
            aria-describedby="password-rules"
          />
          <p id="password-rules" class="hint">
            {request.t('identity.password.rules', { min: MIN_PASSWORD_LENGTH })}
          </p>
          <label for="confirm">{request.t('identity.field.confirmPassword')}</label>
          <input
            id="confirm"
            name="confirm"
            type="password"
            autocomplete="new-password"
            required
            maxLength={200}
          />
          <button type="submit" class="button">
            {request.t('identity.invite.submit')}
          </button>
        </form>
      </>,
      status,
    );
  }

  app.post(
    '/staff/invite/:token',
    {
      config: {
        access: {
          public: true,
          reason: 'setting a password from a one-time invitation link; the link itself is the credential',
        },
        operation: 'acceptStaffInvitation',
      },
      schema: {
        hide: true,
        params: Type.Object({ token: Type.String({ maxLength: 100 }) }),
        body: Type.Object({
          password: Type.String({ maxLength: 1000 }),
          confirm: Type.String({ maxLength: 1000 }),
          username: Type.Optional(Type.String({ maxLength: 254 })),
        }),
      },
    },
    async (request, reply) => {
      const { token } = request.params as { token: string };
      const { password, confirm } = request.body as { password: string; confirm: string };
      const result = await acceptInvitation(deps, token, password, confirm, {
        ip: request.ip,
        userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
      });
      if (!result.ok && result.why === 'gone')
        return staffPage(
          request,
          reply,
          request.t('identity.invite.title'),
          <FormError>{request.t('identity.invite.gone')}</FormError>,
          404,
        );
      if (!result.ok) {
        const invitation = await findInvitation(deps, token);
        if (!invitation) throw new AppError('NOT_FOUND');
        return invitePage(
          request,
          reply,
          token,
          invitation,
          passwordProblemMessage(request, result.problem),
          400,
        );
      }
      setSessionCookie(request, reply, result.session.token);
      return reply.redirect(request.localePath('/staff/totp/enrol'), 303);
    },
  );

  app.post(
    '/staff/sign-out',
    {
      config: { access: { action: 'identity.session.signOut' }, operation: 'staffSignOut' },
      schema: { hide: true, body: Type.Object(FormToken) },
    },
    async (request, reply) => {
      await signOut(deps, requireStaff(request).sessionId, auditActorFrom(request));
      clearSessionCookie(request, reply);
      return reply.redirect(request.localePath('/staff/sign-in') + '?ended=signed-out', 303);
    },
  );

  app.post(
    '/staff/sign-out-everywhere',
    {
      config: {
        access: { action: 'identity.session.signOutEverywhere' },
        operation: 'staffSignOutEverywhere',
      },
      schema: { hide: true, body: Type.Object(FormToken) },
    },
    async (request, reply) => {
      await signOutEverywhere(deps, requireStaff(request).accountId, auditActorFrom(request));
      clearSessionCookie(request, reply);
      return reply.redirect(request.localePath('/staff/sign-in') + '?ended=signed-out', 303);
    },
  );

  app.get(
    '/staff',
    { config: { access: { action: 'staff.console.view' } }, schema: { hide: true } },
    async (request, reply) => {
      const staff = requireStaff(request);
      const links = app.staffConsoleLinks.filter((link) => grantedScope(staff, link.action) !== undefined);
      return staffPage(
        request,
        reply,
        request.t(`identity.console.${staff.organisationKind}`),
        <>
          <h1>{request.t(`identity.console.${staff.organisationKind}`)}</h1>
          <p class="lead">
            {request.t('identity.console.greeting', {
              name: staff.displayName,
              organisation: staff.organisationName,
            })}
          </p>
          <p>
            {request.t('identity.console.roles')}{' '}
            {staff.roles.map((r) => request.t(`identity.role.${r}`)).join('、')}
          </p>
          {links.length > 0 ? (
            <ul class="cards console-links">
              {links.map((link) => (
                <li>
                  <a href={request.localePath(link.href)}>{request.t(link.label)}</a>
                </li>
              ))}
            </ul>
          ) : (
            <p>{request.t('identity.console.nothingYet')}</p>
          )}
        </>,
      );
    },
  );

  app.get(
    '/staff/account',
    {
      config: { access: { action: 'identity.account.updateOwn' } },
      schema: { hide: true, querystring: Type.Object({ saved: Type.Optional(Type.Literal('1')) }) },
    },
    async (request, reply) => {
      const staff = requireStaff(request);
      const saved = (request.query as { saved?: string }).saved === '1';
      const passkeys = await listOwnPasskeys(app.db, staff.accountId);
      const dateFormat = new Intl.DateTimeFormat(request.locale === 'en' ? 'en-GB' : 'zh-CN', {
        dateStyle: 'medium',
        timeZone: 'Asia/Shanghai',
      });
      return staffPage(
        request,
        reply,
        request.t('identity.account.title'),
        <>
          <h1>{request.t('identity.account.title')}</h1>
          {saved && <Notice>{request.t('identity.account.saved')}</Notice>}
          <form method="post" action={request.localePath('/staff/account')} class="stack">
            <CsrfField token={staff.csrfToken} />
            <label for="locale">{request.t('identity.account.language')}</label>
            <select id="locale" name="locale">
              <option value="zh-CN" selected={staff.locale === 'zh-CN'}>
                中文
              </option>
              <option value="en" selected={staff.locale === 'en'}>
                English
              </option>
            </select>
            <button type="submit" class="button">
              {request.t('identity.account.save')}
            </button>
          </form>
          <h2>{request.t('identity.passkey.title')}</h2>
          <p>{request.t('identity.passkey.lead')}</p>
          {passkeys.length === 0 ? (
            <p>{request.t('identity.passkey.none')}</p>
          ) : (
            <ul class="passkeys">
              {passkeys.map((p) => (
                <li>
                  {request.t('identity.passkey.added', { date: dateFormat.format(p.createdAt) })}{' '}
                  <form
                    method="post"
                    action={request.localePath(`/staff/passkeys/${p.id}/remove`)}
                    class="inline"
                  >
                    <CsrfField token={staff.csrfToken} />
                    <button type="submit" class="link-button">
                      {request.t('identity.passkey.remove')}
                    </button>
                  </form>
                </li>
              ))}
            </ul>
          )}
          <p>
            <button
              type="button"
              class="button secondary"
              id="passkey-add"
              data-csrf={staff.csrfToken}
              data-failed={request.t('identity.passkey.failed')}
              data-unsupported={request.t('identity.passkey.unsupported')}
              hidden
            >
              {request.t('identity.passkey.add')}
            </button>
          </p>
          <p class="form-error" id="passkey-error" role="alert" hidden></p>
          <h2>{request.t('identity.account.sessions')}</h2>
          <p>{request.t('identity.account.sessionsLead')}</p>
          <form method="post" action={request.localePath('/staff/sign-out-everywhere')}>
            <CsrfField token={staff.csrfToken} />
            <button type="submit" class="button secondary">
              {request.t('identity.account.signOutEverywhere')}
            </button>
          </form>
        </>,
        200,
        [app.assets.url('passkey.js')],
      );
    },
  );

  app.post(
    '/staff/account',
    {
      config: { access: { action: 'identity.account.updateOwn' }, operation: 'updateOwnAccount' },
      schema: {
        hide: true,
        body: Type.Object({ ...FormToken, locale: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]) }),
      },
    },
    async (request, reply) => {
      const { locale } = request.body as { locale: 'zh-CN' | 'en' };
      await setOwnLocale(deps, requireStaff(request).accountId, locale, auditActorFrom(request));
      return reply.redirect(localePath(locale, '/staff/account') + '?saved=1', 303);
    },
  );
}

/**
 * Signing in and one's own account as JSON API operations: the twins of the pages in auth.routes.tsx and
 * passkey.routes.ts, calling the same use cases (identity.service.ts, sign-in.ts, own-account.ts). The session
 * is the pages' own: the same HttpOnly cookie and session table, so a session begun here opens the staff
 * pages and the other way round. Each step answers the form token (`csrfToken`) to send as `x-csrf-token`
 * with the next state-changing request; it changes whenever the session moves to its next stage.
 *
 * Wrong passwords and codes are throttled (a wait, 429 with Retry-After), never locked (platform/throttle.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { csrfTokenFor } from '../../platform/csrf.ts';
import { ErrorResponse } from '../../platform/error-responses.ts';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import type { MessageKey } from '../../platform/i18n/catalog.ts';
import { rateLimited } from '../../platform/throttle.ts';
import { requireStaff } from '../../platform/access-guard.ts';
import { auditActorFrom } from '../../platform/audit.ts';
import {
  acceptInvitation,
  confirmTotpEnrolment,
  findInvitation,
  signInWithPassword,
  verifySecondFactor,
  type IdentityDeps,
} from './identity.service.ts';
import { listOwnPasskeys, removeOwnPasskey, setOwnLocale } from './own-account.ts';
import { MIN_PASSWORD_LENGTH, type PasswordProblem } from './passwords.ts';
import { secondFactorsOf, signOut, signOutEverywhere, totpEnrolment } from './sign-in.ts';
import { clearSessionCookie, setSessionCookie } from './sessions.ts';

const tags = ['identity'];
const Locale = Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]);
const Uuid = Type.String({ format: 'uuid' });
const CsrfToken = Type.String({
  description: 'The form token of the session as it now is: send it as x-csrf-token with the next change',
});
const Factor = Type.Union([Type.Literal('totp'), Type.Literal('recovery_code'), Type.Literal('passkey')]);
const Pending = Type.Object({
  next: Type.Union([Type.Literal('verify'), Type.Literal('enrol')], {
    description:
      'verify: give a second factor (POST /api/staff/sign-in/verify, or a passkey); enrol: first sign-in, set up TOTP (GET then POST /api/staff/totp/enrolment)',
  }),
  factors: Type.Array(Factor, {
    description: 'The second factors this account can use (empty when enrolling)',
  }),
  csrfToken: CsrfToken,
});
const Code = Type.Object({ code: Type.String({ minLength: 1, maxLength: 40 }) });
const PasskeyView = Type.Object({
  id: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

function codeProblem(message: MessageKey): AppError {
  return new AppError('VALIDATION', { fields: [{ field: 'code', message }] });
}

function passwordField(problem: PasswordProblem | 'mismatch'): FieldProblem {
  switch (problem) {
    case 'tooShort':
      return {
        field: 'password',
        message: 'identity.password.tooShort',
        params: { min: MIN_PASSWORD_LENGTH },
      };
    case 'mismatch':
      return { field: 'confirm', message: 'identity.password.mismatch' };
    case 'tooLong':
    case 'common':
    case 'personal':
    case 'repetitive':
      return { field: 'password', message: `identity.password.${problem}` };
  }
}

const client = (request: FastifyRequest) => ({
  ip: request.ip,
  userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
});

export function signInApi(app: FastifyInstance, deps: IdentityDeps): void {
  const csrfFor = (sessionId: string): string => csrfTokenFor(app.csrfKey, sessionId);

  app.post(
    '/api/staff/sign-in',
    {
      config: {
        access: {
          public: true,
          reason:
            'the first sign-in step checks the password; wrong passwords are throttled per network and account',
        },
      },
      schema: {
        operationId: 'staffSignIn',
        tags,
        summary:
          'First sign-in step: email and password. Sets the session cookie of a pending sign-in and says which second step follows',
        body: Type.Object({
          email: Type.String({ minLength: 1, maxLength: 254 }),
          password: Type.String({ minLength: 1, maxLength: 1000 }),
        }),
        response: { 200: Pending, 401: ErrorResponse },
      },
    },
    async (request, reply) => {
      const body = request.body as { email: string; password: string };
      const result = await signInWithPassword(deps, body, client(request));
      if (!result.ok) {
        if (result.why === 'throttled') throw rateLimited(result.retryAfterSeconds);
        throw new AppError('UNAUTHENTICATED', { message: 'identity.signIn.invalid' });
      }
      setSessionCookie(request, reply, result.session.token);
      return {
        next: result.next === 'mfa' ? ('verify' as const) : ('enrol' as const),
        factors: result.next === 'mfa' ? await secondFactorsOf(app.db, result.accountId) : [],
        csrfToken: csrfFor(result.session.id),
      };
    },
  );

  app.post(
    '/api/staff/sign-in/verify',
    {
      config: { access: { action: 'identity.signIn.verify' } },
      schema: {
        operationId: 'verifyStaffSignIn',
        tags,
        summary:
          'Second sign-in step: a TOTP code (each used once) or a recovery code. The session becomes a full one under a new cookie',
        body: Code,
        response: {
          200: Type.Object({
            csrfToken: CsrfToken,
            recoveryCodesLeft: Type.Optional(
              Type.Integer({ description: 'When a recovery code was used: how many remain' }),
            ),
          }),
        },
      },
    },
    async (request, reply) => {
      const staff = requireStaff(request);
      if (staff.stage !== 'mfa') throw new AppError('NOT_FOUND');
      const { code } = request.body as { code: string };
      const result = await verifySecondFactor(
        deps,
        staff.sessionId,
        staff.accountId,
        code,
        auditActorFrom(request),
      );
      if (!result.ok) {
        if (result.why === 'throttled') throw rateLimited(result.retryAfterSeconds);
        throw codeProblem(result.why === 'reused' ? 'identity.verify.reused' : 'identity.verify.wrong');
      }
      setSessionCookie(request, reply, result.session.token);
      return {
        csrfToken: csrfFor(result.session.id),
        ...(result.recoveryCodesLeft !== undefined ? { recoveryCodesLeft: result.recoveryCodesLeft } : {}),
      };
    },
  );

  app.get(
    '/api/staff/totp/enrolment',
    {
      config: { access: { action: 'identity.totp.enrol' } },
      schema: {
        operationId: 'getTotpEnrolment',
        tags,
        summary:
          'First sign-in: the authenticator app secret being set up on this session (the same one until confirmed)',
        response: {
          200: Type.Object({
            secret: Type.String({ description: 'Base32, for typing into the app' }),
            otpauthUri: Type.String({ description: 'otpauth:// URI, for a QR code' }),
          }),
        },
      },
    },
    async (request) => {
      const staff = requireStaff(request);
      if (staff.stage !== 'enrol') throw new AppError('NOT_FOUND');
      return totpEnrolment(deps, staff.sessionId, staff.organisationName);
    },
  );

  app.post(
    '/api/staff/totp/enrolment',
    {
      config: { access: { action: 'identity.totp.enrol' } },
      schema: {
        operationId: 'confirmTotpEnrolment',
        tags,
        summary:
          'First sign-in: confirm the authenticator app with a code. Answers the recovery codes (shown once) and a full session',
        body: Code,
        response: {
          200: Type.Object({
            csrfToken: CsrfToken,
            recoveryCodes: Type.Array(Type.String(), { description: 'Shown once; stored only hashed' }),
          }),
        },
      },
    },
    async (request, reply) => {
      const staff = requireStaff(request);
      if (staff.stage !== 'enrol') throw new AppError('NOT_FOUND');
      const { code } = request.body as { code: string };
      const result = await confirmTotpEnrolment(
        deps,
        staff.sessionId,
        staff.accountId,
        code,
        auditActorFrom(request),
      );
      if (!result.ok) {
        if (result.why === 'throttled') throw rateLimited(result.retryAfterSeconds);
        throw codeProblem('identity.enrol.wrong');
      }
      setSessionCookie(request, reply, result.session.token);
      return { csrfToken: csrfFor(result.session.id), recoveryCodes: result.recoveryCodes };
    },
  );

  const Token = Type.String({
    minLength: 1,
    maxLength: 100,
    description: 'The token of the invitation link',
  });

  app.post(
    '/api/staff/invitation',
    {
      config: {
        access: {
          public: true,
          reason: 'an invitation is opened before the invited person has an account to sign in with',
        },
      },
      schema: {
        operationId: 'getStaffInvitation',
        tags,
        summary: 'Who an invitation is for (the token in the body, never in a URL); 404 once used or expired',
        body: Type.Object({ token: Token }),
        response: {
          200: Type.Object({
            displayName: Type.String(),
            email: Type.String(),
            organisationName: Type.String(),
          }),
          404: ErrorResponse,
        },
      },
    },
    async (request) => {
      const invitation = await findInvitation(deps, (request.body as { token: string }).token);
      if (!invitation) throw new AppError('NOT_FOUND', { message: 'identity.invite.gone' });
      return {
        displayName: invitation.displayName,
        email: invitation.email,
        organisationName: invitation.organisationName,
      };
    },
  );

  app.post(
    '/api/staff/invitation/accept',
    {
      config: {
        access: {
          public: true,
          reason: 'setting a password from a one-time invitation; the token itself is the credential',
        },
      },
      schema: {
        operationId: 'acceptStaffInvitation',
        tags,
        summary:
          'Accept an invitation: set the password (the token in the body). Sets the session cookie of a first sign-in: TOTP enrolment follows',
        body: Type.Object({
          token: Token,
          password: Type.String({ maxLength: 1000 }),
          confirm: Type.String({ maxLength: 1000 }),
        }),
        response: { 200: Pending, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const { token, password, confirm } = request.body as {
        token: string;
        password: string;
        confirm: string;
      };
      const result = await acceptInvitation(deps, token, password, confirm, client(request));
      if (!result.ok && result.why === 'gone')
        throw new AppError('NOT_FOUND', { message: 'identity.invite.gone' });
      if (!result.ok) throw new AppError('VALIDATION', { fields: [passwordField(result.problem)] });
      setSessionCookie(request, reply, result.session.token);
      return { next: 'enrol' as const, factors: [], csrfToken: csrfFor(result.session.id) };
    },
  );

  app.post(
    '/api/staff/sign-out',
    {
      config: { access: { action: 'identity.session.signOut' } },
      schema: {
        operationId: 'staffSignOut',
        tags,
        summary: 'Sign out: end this session (also part-way through signing in) and clear its cookie',
        response: { 200: Type.Object({ sessions: Type.Integer() }) },
      },
    },
    async (request, reply) => {
      await signOut(deps, requireStaff(request).sessionId, auditActorFrom(request));
      clearSessionCookie(request, reply);
      return { sessions: 1 };
    },
  );

  app.post(
    '/api/staff/sign-out-everywhere',
    {
      config: { access: { action: 'identity.session.signOutEverywhere' } },
      schema: {
        operationId: 'staffSignOutEverywhere',
        tags,
        summary: 'End every session of one’s account, on every device',
        response: { 200: Type.Object({ sessions: Type.Integer({ description: 'Sessions ended' }) }) },
      },
    },
    async (request, reply) => {
      const sessions = await signOutEverywhere(
        deps,
        requireStaff(request).accountId,
        auditActorFrom(request),
      );
      clearSessionCookie(request, reply);
      return { sessions };
    },
  );

  app.patch(
    '/api/staff/account',
    {
      config: { access: { action: 'identity.account.updateOwn' } },
      schema: {
        operationId: 'updateOwnAccount',
        tags,
        summary: 'Change one’s own account: the language of pages, messages and errors',
        body: Type.Object({ locale: Locale }),
        response: { 200: Type.Object({ locale: Locale }) },
      },
    },
    async (request) => {
      const { locale } = request.body as { locale: 'zh-CN' | 'en' };
      await setOwnLocale(deps, requireStaff(request).accountId, locale, auditActorFrom(request));
      return { locale };
    },
  );

  app.get(
    '/api/staff/passkeys',
    {
      config: { access: { action: 'identity.passkey.manage' } },
      schema: {
        operationId: 'listOwnPasskeys',
        tags,
        summary: 'One’s own passkeys',
        response: { 200: Type.Object({ items: Type.Array(PasskeyView) }) },
      },
    },
    async (request) => ({
      items: (await listOwnPasskeys(app.db, requireStaff(request).accountId)).map((p) => ({
        id: p.id,
        createdAt: p.createdAt.toISOString(),
        lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
      })),
    }),
  );

  app.delete(
    '/api/staff/passkeys/:id',
    {
      config: { access: { action: 'identity.passkey.manage', record: 'staff_passkey' } },
      schema: {
        operationId: 'removePasskey',
        tags,
        summary: 'Remove one of one’s own passkeys (anyone else’s answers 404)',
        params: Type.Object({ id: Uuid }),
        response: { 200: Type.Object({ removed: Type.Boolean() }) },
      },
    },
    async (request) => {
      const removed = await removeOwnPasskey(
        deps,
        requireStaff(request).accountId,
        (request.params as { id: string }).id,
        auditActorFrom(request),
      );
      if (!removed) throw new AppError('NOT_FOUND');
      return { removed };
    },
  );
}

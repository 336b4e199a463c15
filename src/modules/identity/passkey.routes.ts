/**
 * Passkey routes: adding and removing one's passkeys (signed in), and using one instead of a TOTP code at
 * the second sign-in step. The browser side is src/web/passkey.js; JSON requests carry the form token in
 * the `x-csrf-token` header like every state-changing request.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { AppError } from '../../platform/errors.ts';
import { localePath } from '../../platform/i18n/request-locale.ts';
import { requireStaff } from '../../platform/access-guard.ts';
import { auditActorFrom, recordAudit } from '../../platform/audit.ts';
import { secondFactorAttempt, type IdentityDeps } from './identity.service.ts';
import { removeOwnPasskey } from './own-account.ts';
import { rateLimited } from '../../platform/throttle.ts';
import { authenticationOptions, registerPasskey, registrationOptions, verifyPasskey } from './passkeys.ts';
import { advanceSession, setSessionCookie } from './sessions.ts';

const Options = Type.Object(
  {},
  { additionalProperties: true, description: 'WebAuthn options for navigator.credentials' },
);
const B64 = (max: number) => Type.String({ maxLength: max, pattern: '^[A-Za-z0-9_-]*$' });
/** A WebAuthn credential as JSON (base64url fields), for registration and authentication alike. */
const Credential = Type.Object({
  id: B64(1400),
  rawId: B64(1400),
  type: Type.Literal('public-key'),
  response: Type.Object({
    clientDataJSON: B64(4000),
    attestationObject: Type.Optional(B64(20_000)),
    transports: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 10 })),
    authenticatorData: Type.Optional(B64(4000)),
    signature: Type.Optional(B64(10_000)), // post-quantum signatures (ML-DSA) are several kilobytes
    userHandle: Type.Optional(B64(200)),
  }),
  clientExtensionResults: Type.Optional(Type.Object({})),
  authenticatorAttachment: Type.Optional(
    Type.Union([Type.Literal('platform'), Type.Literal('cross-platform')]),
  ),
});

export function passkeyRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const key = app.keyring.deriveKey('identity.webauthn-challenge');

  app.post(
    '/api/staff/passkeys/options',
    {
      config: { access: { action: 'identity.passkey.manage' } },
      schema: {
        operationId: 'passkeyRegistrationOptions',
        tags: ['identity'],
        summary: 'Options for adding a passkey to one’s own account',
        response: { 200: Options },
      },
    },
    async (request) => registrationOptions(app.db, key, request, requireStaff(request)),
  );

  app.post(
    '/api/staff/passkeys',
    {
      config: { access: { action: 'identity.passkey.manage' } },
      schema: {
        operationId: 'addPasskey',
        tags: ['identity'],
        summary: 'Add a passkey to one’s own account',
        body: Type.Object({ credential: Credential }),
        response: { 201: Type.Object({ added: Type.Boolean() }) },
      },
    },
    async (request, reply) => {
      const staff = requireStaff(request);
      const { credential } = request.body as { credential: RegistrationResponseJSON };
      const result = await registerPasskey(app.db, key, request, staff, credential);
      if (!result)
        throw new AppError('VALIDATION', {
          fields: [{ field: 'credential', message: 'identity.passkey.invalid' }],
        });
      await app.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('staff_passkey')
          .values({
            account_id: staff.accountId,
            credential_id: result.credentialId,
            public_key: result.publicKey,
            counter: result.counter,
            transports: result.transports,
          })
          .onConflict((oc) => oc.column('credential_id').doNothing())
          .execute();
        await recordAudit(trx, {
          event: 'identity.passkey_added',
          actor: auditActorFrom(request),
          record: { type: 'staff_account', id: staff.accountId },
          details: {},
        });
      });
      return reply.status(201).send({ added: true });
    },
  );

  app.post(
    '/staff/passkeys/:id/remove',
    {
      config: {
        access: { action: 'identity.passkey.manage', record: 'staff_passkey' },
        operation: 'removePasskey',
      },
      schema: {
        hide: true,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) }),
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const removed = await removeOwnPasskey(
        deps,
        requireStaff(request).accountId,
        id,
        auditActorFrom(request),
      );
      if (!removed) throw new AppError('NOT_FOUND');
      return reply.redirect(request.localePath('/staff/account') + '?saved=1', 303);
    },
  );

  app.post(
    '/api/staff/sign-in/passkey/options',
    {
      config: { access: { action: 'identity.signIn.verify' } },
      schema: {
        operationId: 'passkeySignInOptions',
        tags: ['identity'],
        summary: 'Second sign-in step with a passkey: the challenge',
        response: { 200: Options },
      },
    },
    async (request) => {
      const staff = requireStaff(request);
      if (staff.stage !== 'mfa') throw new AppError('NOT_FOUND');
      const options = await authenticationOptions(app.db, key, request, staff);
      if (!options) throw new AppError('NOT_FOUND');
      return options;
    },
  );

  app.post(
    '/api/staff/sign-in/passkey',
    {
      config: { access: { action: 'identity.signIn.verify' } },
      schema: {
        operationId: 'passkeySignIn',
        tags: ['identity'],
        summary: 'Second sign-in step with a passkey instead of a TOTP code',
        body: Type.Object({ credential: Credential }),
        response: { 200: Type.Object({ next: Type.String() }) },
      },
    },
    async (request, reply) => {
      const staff = requireStaff(request);
      if (staff.stage !== 'mfa') throw new AppError('NOT_FOUND');
      const attempt = secondFactorAttempt(app.rateLimiter, staff.accountId, request.ip);
      const decision = await attempt.check();
      if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds);
      const { credential } = request.body as { credential: AuthenticationResponseJSON };
      const ok = await verifyPasskey(app.db, key, request, staff, credential);
      if (!ok) {
        await attempt.failed();
        await app.db.transaction().execute((trx) =>
          recordAudit(trx, {
            event: 'identity.sign_in_failed',
            actor: auditActorFrom(request),
            details: { stage: 'totp', why: 'totp_wrong' },
          }),
        );
        throw new AppError('VALIDATION', {
          fields: [{ field: 'credential', message: 'identity.passkey.invalid' }],
        });
      }
      const session = await app.db.transaction().execute(async (trx) => {
        const next = await advanceSession(trx, app.sessionKeys, staff.sessionId, 'full');
        await recordAudit(trx, {
          event: 'identity.sign_in',
          actor: auditActorFrom(request),
          details: { method: 'passkey' },
        });
        return next;
      });
      await attempt.succeeded();
      setSessionCookie(request, reply, session.token);
      return { next: localePath(staff.locale, '/staff') };
    },
  );
}

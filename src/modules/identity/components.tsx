/** Small pieces the staff pages share: the form token field, messages, and the staff navigation. */
import type { FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

export function FormError({ children }: { children: ComponentChildren }) {
  return (
    <p class="form-error" role="alert">
      {children}
    </p>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <p class="notice" role="status">
      {children}
    </p>
  );
}

/** The bar at the top of every signed-in staff page: who is signed in, the console, the account, sign out. */
export function StaffBar({ request }: { request: FastifyRequest }) {
  const staff = request.staff;
  if (!staff || staff.stage !== 'full') return null;
  return (
    <nav class="staff-bar" aria-label={request.t('identity.nav.label')}>
      <a href={request.localePath('/staff')}>{request.t('identity.nav.console')}</a>
      <a href={request.localePath('/staff/account')}>{request.t('identity.nav.account')}</a>
      <form method="post" action={request.localePath('/staff/sign-out')} class="inline">
        <CsrfField token={staff.csrfToken} />
        <button type="submit" class="link-button">
          {request.t('identity.nav.signOut')}
        </button>
      </form>
    </nav>
  );
}

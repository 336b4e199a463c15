/**
 * An admin clears the sign-in throttles on an account (wrong passwords and second-factor guesses from every
 * network), for example after the staff member called to say they cannot get in. One use case for the API
 * operation and the admin page; the clearing and its audit event are one transaction.
 */
import { recordAudit, type AuditActor } from '../../platform/audit.ts';
import { PASSWORD_GUESSES, SECOND_FACTOR_GUESSES, type IdentityDeps } from './identity.service.ts';

/** Returns how many counters were removed (0 when nothing was throttled). */
export async function clearSignInThrottle(
  deps: IdentityDeps,
  accountId: string,
  actor: AuditActor,
): Promise<number> {
  return deps.db.transaction().execute(async (trx) => {
    const account = await trx
      .selectFrom('staff_account')
      .select('email')
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    const counters =
      (await deps.rateLimiter.guesses.clearSubject(PASSWORD_GUESSES, account.email, trx)) +
      (await deps.rateLimiter.guesses.clearSubject(SECOND_FACTOR_GUESSES, accountId, trx));
    await recordAudit(trx, {
      event: 'identity.throttle_cleared',
      actor,
      record: { type: 'staff_account', id: accountId },
      details: { counters },
    });
    return counters;
  });
}

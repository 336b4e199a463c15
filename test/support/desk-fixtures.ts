/**
 * A helpline desk that requests are routed to: desk settings with the provinces asked for and approved (as a
 * platform admin would through `approveDeskCoverage`), or a national desk. The organisation also needs active
 * desk staff (makeStaff) before anything is routed to it.
 */
import type { Db } from '../../src/db/database.ts';

export async function makeDesk(
  t: { db: Db },
  organisationId: string,
  options: { provinces?: string[]; national?: boolean; firstResponseMinutes?: number } = {},
): Promise<void> {
  const values = {
    first_response_minutes: options.firstResponseMinutes ?? 24 * 60,
    provinces: options.provinces ?? [],
    approved_provinces: options.provinces ?? [],
    national: options.national ?? false,
    approved_at: new Date(),
    updated_at: new Date(),
  };
  await t.db
    .insertInto('helpline_desk_setting')
    .values({ organisation_id: organisationId, ...values })
    .onConflict((oc) => oc.column('organisation_id').doUpdateSet(values))
    .execute();
}

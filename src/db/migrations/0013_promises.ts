/**
 * Promises the survivor pages make (issue 13):
 * - who answered her: the role of the staff member behind a reply (`lawyer`, `caseworker`, `staff`), so a
 *   caseworker's reply is not shown as a volunteer lawyer's;
 * - mandatory reporting (ADVL 14) also covers adults without full capacity: a desk flag on the case;
 * - her withdrawal of consent to statistics (PIPL 47): a flag the report fold reads.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table help_message add column staff_role text check (staff_role in ('lawyer', 'caseworker', 'staff'))`.execute(
    db,
  );
  await sql`alter table helpline_case add column lacks_capacity boolean not null default false`.execute(db);
  await sql`alter table help_request add column statistics_withdrawn boolean not null default false`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table help_request drop column statistics_withdrawn`.execute(db);
  await sql`alter table helpline_case drop column lacks_capacity`.execute(db);
  await sql`alter table help_message drop column staff_role`.execute(db);
}

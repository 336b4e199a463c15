/**
 * A blind index for the orders lists (issue 14): names and ID numbers live only inside the sealed particulars,
 * so the docket and the orders-in-force list search them through keyed hashes (HMAC-SHA-256 of the normalised
 * value under a key derived from the keyring; see orders.search-index.ts). One row per application, field and
 * term; `order_search_source` remembers which version of the particulars (their `updated_at`) was indexed, so
 * rows written before this migration, or by any writer, are indexed before the next search.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table order_search_term (
      application_id uuid not null references order_application (id) on delete cascade,
      field text not null check (field in ('applicant_name', 'respondent_name', 'respondent_id', 'respondent_region')),
      term bytea not null,
      primary key (application_id, field, term)
    )`.execute(db);
  await sql`create index order_search_term_lookup on order_search_term (field, term)`.execute(db);
  await sql`
    create table order_search_source (
      application_id uuid primary key references order_application (id) on delete cascade,
      source_updated_at timestamptz not null
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table order_search_source`.execute(db);
  await sql`drop table order_search_term`.execute(db);
}

/**
 * The blind index behind the orders lists' searches (issue 14). Names and ID numbers are only inside the
 * sealed particulars, so a search compares keyed hashes: HMAC-SHA-256, under a key derived from the keyring
 * (`orders.search-index`), of the field name and the normalised value. A database dump holds no name, and
 * guessing one needs the key. Region codes are indexed at each level (province, city, district) so a search
 * by a city finds its districts.
 *
 * Every write of an application's particulars (the draft use case, and submitting when she refused some
 * files) writes its terms in the same transaction (`indexIn`), so the index cannot lag or drift from the
 * record. At start, `sync` indexes the rows no write indexed: those written before migration 0021 and the
 * demo seed.
 */
import { createHmac } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { Keyring } from '../../platform/crypto.ts';
import type { ApplicationInput } from './orders.model.ts';
import type { OrderSearchTermTable } from './orders.tables.ts';

export type SearchField = OrderSearchTermTable['field'];
type Executor = Db | Transaction<Database>;

/** Names compared without spaces, middle dots or case, in their canonical Unicode form. */
export function normaliseName(value: string): string {
  return value
    .normalize('NFKC')
    .replace(/[\s·•・.]/gu, '')
    .toLowerCase();
}

/** ID numbers compared without spaces, with the check character in upper case. */
export function normaliseIdNumber(value: string): string {
  return value.normalize('NFKC').replace(/\s/gu, '').toUpperCase();
}

/** A GB/T 2260 code without its trailing `00` levels (`320100` is the city `3201`); '' when not a code. */
export function normaliseRegion(value: string): string {
  const code = value.normalize('NFKC').trim();
  if (!/^\d{2}(\d{2}){0,2}$/.test(code)) return '';
  return code.replace(/(00)+$/, '');
}

/** Every level of a region code: `320106` → `32`, `3201`, `320106`. */
function regionLevels(code: string): string[] {
  const c = normaliseRegion(code);
  const levels: string[] = [];
  for (let n = 2; n <= c.length; n += 2) levels.push(c.slice(0, n));
  return levels;
}

export class OrdersSearchIndex {
  private readonly key: Buffer;

  constructor(
    private readonly deps: {
      db: Db;
      keyring: Keyring;
      /** Opens an application's sealed particulars (the core's `particularsOf`). */
      particulars: (row: { id: string; particulars: Buffer }) => ApplicationInput;
    },
  ) {
    this.key = deps.keyring.deriveKey('orders.search-index');
  }

  /** The index term of a value already normalised for its field. */
  term(field: SearchField, normalised: string): Buffer {
    return createHmac('sha256', this.key).update(`${field}\u0000${normalised}`).digest();
  }

  /** The term a search value looks up, or undefined when it normalises to nothing (matches nothing). */
  queryTerm(field: SearchField, value: string): Buffer | undefined {
    const normalised =
      field === 'respondent_id'
        ? normaliseIdNumber(value)
        : field === 'respondent_region'
          ? normaliseRegion(value)
          : normaliseName(value);
    return normalised ? this.term(field, normalised) : undefined;
  }

  /** The terms of one application's particulars. */
  termsOf(input: ApplicationInput): { field: SearchField; term: Buffer }[] {
    const terms: { field: SearchField; term: Buffer }[] = [];
    const add = (field: SearchField, normalised: string) => {
      if (normalised) terms.push({ field, term: this.term(field, normalised) });
    };
    if (input.applicant?.name) add('applicant_name', normaliseName(input.applicant.name));
    if (input.respondent?.name) add('respondent_name', normaliseName(input.respondent.name));
    if (input.respondent?.idNumber) add('respondent_id', normaliseIdNumber(input.respondent.idNumber));
    for (const level of regionLevels(input.respondent?.regionCode ?? '')) add('respondent_region', level);
    return terms;
  }

  /** Index one application's particulars as written, in the writer's transaction. */
  async indexIn(
    trx: Transaction<Database>,
    id: string,
    input: ApplicationInput,
    updatedAt: Date,
  ): Promise<void> {
    const terms = this.termsOf(input);
    await trx.deleteFrom('order_search_term').where('application_id', '=', id).execute();
    if (terms.length)
      await trx
        .insertInto('order_search_term')
        .values(terms.map((t) => ({ application_id: id, field: t.field, term: t.term })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    await trx
      .insertInto('order_search_source')
      .values({ application_id: id, source_updated_at: updatedAt })
      .onConflict((oc) => oc.column('application_id').doUpdateSet({ source_updated_at: updatedAt }))
      .execute();
  }

  /**
   * Index every application no write indexed, in batches; answers how many were indexed. Run once at start. Rows are locked with `skip locked`, so two starting processes never
   * index the same row at once.
   */
  async sync(batch = 200): Promise<number> {
    let total = 0;
    for (;;) {
      const done = await this.deps.db.transaction().execute(async (trx) => {
        const rows = await trx
          .selectFrom('order_application as a')
          .leftJoin('order_search_source as s', 's.application_id', 'a.id')
          .select(['a.id', 'a.particulars', 'a.updated_at'])
          .where('s.application_id', 'is', null)
          .limit(batch)
          .forUpdate('a')
          .skipLocked()
          .execute();
        for (const row of rows) await this.indexIn(trx, row.id, this.deps.particulars(row), row.updated_at);
        return rows.length;
      });
      total += done;
      if (done < batch) return total;
    }
  }

  /** Applications whose `field` holds the term (a subquery for `where a.id in (…)`). */
  matching(db: Executor, field: SearchField, term: Buffer) {
    return db
      .selectFrom('order_search_term')
      .select('application_id')
      .where('field', '=', field)
      .where('term', '=', term);
  }
}

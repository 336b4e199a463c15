/** The reports module's rollups (see src/modules/reports/reports.tables.ts). */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('report_fact_day')
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('dimension', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull().check(sql`n >= 0`))
    .addColumn('total', 'double precision', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('report_fact_day_pk', ['source', 'organisation_id', 'day', 'dimension', 'value'])
    .execute();

  await db.schema
    .createTable('report_fold_state')
    .addColumn('source', 'text', (c) => c.primaryKey())
    .addColumn('folded_until', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('report_publication')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addColumn('period_from', 'date', (c) => c.notNull())
    .addColumn('period_to', 'date', (c) => c.notNull())
    .addColumn('threshold', 'integer', (c) => c.notNull().check(sql`threshold >= 2`))
    .addColumn('report_zh', 'jsonb', (c) => c.notNull())
    .addColumn('report_en', 'jsonb', (c) => c.notNull())
    .addColumn('published_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('withdrawn_at', 'timestamptz')
    .execute();
  // The fold reads the help requests of a few recent days at a time; without this index that is a scan of
  // every request ever made (seconds at national scale). Named for the reports module, which needs it.
  await db.schema
    .createIndex('report_help_request_created')
    .ifNotExists()
    .on('help_request')
    .column('created_at')
    .execute();

  await db.schema
    .createIndex('report_publication_org')
    .on('report_publication')
    .columns(['organisation_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('report_help_request_created').ifExists().execute();
  await db.schema.dropTable('report_publication').execute();
  await db.schema.dropTable('report_fold_state').execute();
  await db.schema.dropTable('report_fact_day').execute();
}

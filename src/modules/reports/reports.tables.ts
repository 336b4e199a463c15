/**
 * Tables the reports module owns: daily rollups of anonymous counts, folded from the source modules' records
 * by a job (see reports.fold.ts), and the fold watermarks. No row here identifies a person or a record: a
 * rollup row is (organisation, source, China-time day, dimension, value) → a count and a sum.
 */
import type { ColumnType } from 'kysely';

export interface ReportFactDayTable {
  /** The organisation the records belong to; '' for the portal as a whole (help requests, usage). */
  organisation_id: string;
  /** 'help' (help requests), 'usage' (anonymous usage), later 'hotline', 'order'. */
  source: string;
  /** China-time calendar day (UTC+8), YYYY-MM-DD. */
  day: ColumnType<string, string, string>;
  /** What is counted: 'total', 'type', 'region', 'age_gender', 'form_group_pair', 'first_response' … */
  dimension: string;
  /** The value of the dimension ('' for totals); pairs joined with '|'. */
  value: string;
  /** How many records. */
  n: ColumnType<number, number, number>;
  /** A sum over those records (minutes for durations), 0 when the dimension has none. */
  total: ColumnType<number, number, number>;
}

export interface ReportFoldStateTable {
  source: string;
  /** Records created before this instant have been folded (days since it are folded again each run). */
  folded_until: ColumnType<Date, Date | string, Date | string>;
  updated_at: ColumnType<Date, Date | string, Date | string>;
}

/** A published (suppressed) report: a frozen snapshot in both languages, public by its unguessable id. */
export interface ReportPublicationTable {
  id: string;
  /** '' for all organisations. */
  organisation_id: string;
  period_from: ColumnType<string, string, string>;
  period_to: ColumnType<string, string, string>;
  threshold: number;
  report_zh: ColumnType<unknown, string, string>;
  report_en: ColumnType<unknown, string, string>;
  /** The staff account that published it (identity module reference). */
  published_by: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  withdrawn_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface ReportsTables {
  report_fact_day: ReportFactDayTable;
  report_fold_state: ReportFoldStateTable;
  report_publication: ReportPublicationTable;
}

declare module '../../db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's tables to Database
  interface Database extends ReportsTables {}
}

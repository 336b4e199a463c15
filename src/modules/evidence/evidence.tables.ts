/**
 * Tables owned by the evidence module (migration 0004_evidence). Other modules reach them only through
 * `EvidenceService`. Free text and file names are sealed (`Keyring.seal`); file bytes never touch the database.
 */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** A tus upload in progress: the acknowledged offset covers only committed, encrypted segments. */
export interface EvidenceUploadTable {
  /** The tus upload id (random, 32 hex characters). */
  id: string;
  owner_ref: string;
  uploaded_by: string;
  journal_entry_id: string | null;
  size: ColumnType<string, string | number, string | number>;
  received: ColumnType<string, string | number | undefined, string | number>;
  /** Sealed JSON: file name, claimed type, description. */
  meta: Buffer;
  evidence_type: string;
  incident_date: string | null;
  state: ColumnType<'receiving' | 'processing', 'receiving' | undefined, 'receiving' | 'processing'>;
  locale: string;
  created_at: ColumnType<Date, never, never>;
  expires_at: Timestamp;
}

/** One encrypted segment of an upload (one or more per PATCH request). */
export interface EvidenceUploadSegmentTable {
  upload_id: string;
  idx: number;
  object_key: string;
  plain_bytes: ColumnType<string, string | number, string | number>;
}

/**
 * Migration 0023: the encrypted segments an item is stored as (its upload's segments, kept as they are; each
 * under the context `evidence.segment:<upload id>:<idx>`). Items stored before have no rows: their one object
 * is `evidence_item.object_key`, under `evidence.item:<id>`.
 */
export interface EvidenceItemSegmentTable {
  evidence_id: string;
  idx: number;
  object_key: string;
  plain_bytes: ColumnType<string, string | number, string | number>;
}

/** A stored, checked evidence file. */
export interface EvidenceItemTable {
  id: Generated<string>;
  upload_id: string;
  owner_ref: string;
  uploaded_by: string;
  journal_entry_id: string | null;
  evidence_type: string;
  incident_date: string | null;
  /** Sealed JSON: file name, description. */
  meta: Buffer;
  size: ColumnType<string, string | number, string | number>;
  sha256: string;
  media_type: string;
  extension: string;
  object_key: string;
  preview_key: string | null;
  uploaded_at: ColumnType<Date, Date | string | undefined, never>;
  /** Migration 0015: `pending` = awaiting check (only she sees it), `clean`, or `infected` (bytes removed). */
  scan_state: ColumnType<ScanState, ScanState | undefined, ScanState>;
  scanned_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export type ScanState = 'pending' | 'clean' | 'infected';

/** The custody log: append-only and hash-chained per evidence item (UPDATE/DELETE refused by a trigger). */
export interface EvidenceCustodyTable {
  evidence_id: string;
  seq: number;
  action: 'upload' | 'view' | 'download' | 'share' | 'export' | 'delete' | 'check' | 'consent';
  actor: string;
  at: ColumnType<Date, Date | string, never>;
  details: ColumnType<Record<string, unknown>, string, never>;
  prev_hash: string;
  hash: string;
}

/** An incident in her journal (migration 0008_evidence_journal); files attach through `evidence_item.journal_entry_id`. */
export interface EvidenceJournalEntryTable {
  id: string;
  owner_ref: string;
  incident_date: string;
  evidence_type: string;
  /** Sealed text (context `evidence_journal_entry.description:<id>`). */
  description: Buffer;
  created_by: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** Her consent to share one item with one agency (organisation): who consented and when; withdrawal keeps the row. */
export interface EvidenceShareTable {
  id: string;
  evidence_id: string;
  agency: 'court' | 'police' | 'federation' | 'ngo';
  organisation_id: string;
  consented_by: string;
  consented_at: ColumnType<Date, Date | string | undefined, never>;
  withdrawn_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  withdrawn_by: string | null;
}

export interface EvidenceTables {
  evidence_journal_entry: EvidenceJournalEntryTable;
  evidence_share: EvidenceShareTable;
  evidence_upload: EvidenceUploadTable;
  evidence_upload_segment: EvidenceUploadSegmentTable;
  evidence_item_segment: EvidenceItemSegmentTable;
  evidence_item: EvidenceItemTable;
  evidence_custody: EvidenceCustodyTable;
}

declare module '../../db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's tables to Database
  interface Database extends EvidenceTables {}
}

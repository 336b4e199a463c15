/**
 * Every migration, in order. Names sort in the order they run; modules add theirs at the end.
 * Imported statically so the same list runs from source, in tests and in production.
 */
import type { Migration } from 'kysely/migration';
import * as platform from './0001_platform.ts';
import * as identity from './0002_identity.ts';
import * as evidence from './0004_evidence.ts';
import * as help from './0003_help.ts';
import * as helpline from './0005_helpline.ts';
import * as orders from './0006_orders.ts';
import * as reports from './0007_reports.ts';
import * as evidenceJournal from './0008_evidence_journal.ts';
import * as evidenceConsent from './0017_evidence_consent.ts';

export const migrations: Record<string, Migration> = {
  '0001_platform': platform,
  '0002_identity': identity,
  '0003_help': help,
  '0004_evidence': evidence,
  '0005_helpline': helpline,
  '0006_orders': orders,
  '0007_reports': reports,
  '0008_evidence_journal': evidenceJournal,
  '0017_evidence_consent': evidenceConsent,
};

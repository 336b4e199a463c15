/**
 * Every migration, in order. Names sort in the order they run; modules add theirs at the end.
 * Imported statically so the same list runs from source, in tests and in production.
 */
import type { Migration } from 'kysely/migration';
import * as platform from './0001_platform.ts';
import * as identity from './0002_identity.ts';
import * as help from './0003_help.ts';
import * as evidence from './0004_evidence.ts';
import * as helpline from './0005_helpline.ts';
import * as orders from './0006_orders.ts';
import * as reports from './0007_reports.ts';
import * as evidenceJournal from './0008_evidence_journal.ts';
import * as intakeHandoff from './0009_intake_handoff.ts';
import * as abuseResistance from './0012_abuse_resistance.ts';
import * as promises from './0013_promises.ts';
import * as reportsRefold from './0014_reports_refold.ts';
import * as evidenceQuarantine from './0015_evidence_quarantine.ts';
import * as systemClients from './0016_system_clients.ts';
import * as evidenceConsent from './0017_evidence_consent.ts';
import * as ordersSearch from './0021_orders_search.ts';
import * as helplineEscalation from './0022_helpline_escalation.ts';
import * as evidenceItemSegments from './0023_evidence_item_segments.ts';

export const migrations: Record<string, Migration> = {
  '0001_platform': platform,
  '0002_identity': identity,
  '0003_help': help,
  '0004_evidence': evidence,
  '0005_helpline': helpline,
  '0006_orders': orders,
  '0007_reports': reports,
  '0008_evidence_journal': evidenceJournal,
  '0009_intake_handoff': intakeHandoff,
  '0012_abuse_resistance': abuseResistance,
  '0013_promises': promises,
  '0014_reports_refold': reportsRefold,
  '0015_evidence_quarantine': evidenceQuarantine,
  '0016_system_clients': systemClients,
  '0017_evidence_consent': evidenceConsent,
  '0021_orders_search': ordersSearch,
  '0022_helpline_escalation': helplineEscalation,
  '0023_evidence_item_segments': evidenceItemSegments,
};

/**
 * The orders module's audit events, added to the identity module's typed event list by module augmentation.
 * Details carry codes and identifiers only, never personal data.
 */
import type { AuditActor } from '../../platform/audit.ts';

declare module '../../platform/audit.ts' {
  interface AuditEventDetails {
    'orders.application_saved': { channel: string; complete: boolean };
    'orders.application_submitted': { courtId: string };
    'orders.consent_requested': { items: number };
    'orders.consent_answered': { allowed: number; refused: number };
    'orders.application_read': { view: string };
    'orders.application_accepted': { urgent: boolean };
    'orders.application_returned': Record<string, never>;
    'orders.application_transferred': { fromCourtId: string; toCourtId: string };
    'orders.review_submitted': { agency: string };
    'orders.more_requested': { from: string };
    'orders.questioning_recorded': { channel: string; responded: boolean };
    'orders.decided': { outcome: string; measures: string };
    'orders.document_issued': { copy: string };
    'orders.service_recorded': { party: string; method: string };
    'orders.order_changed': { change: string };
    'orders.reconsideration': { step: string };
    'orders.violation_reported': { reportedBy: string };
    'orders.violation_decided': { outcome: string };
    'orders.warning_issued': Record<string, never>;
    'orders.warning_updated': { step: string };
    /** A list read (docket, orders in force, violations inbox, service tasks): the filters' names, never values. */
    'orders.list_read': { list: string; filters: string; count: number };
  }
}

/** The survivor as an audit actor: no account, the network she came from. */
export function survivorAuditActor(ip: string | null, userAgent: string | null): AuditActor {
  return { accountId: null, roles: ['survivor'], organisationId: null, ip, userAgent };
}

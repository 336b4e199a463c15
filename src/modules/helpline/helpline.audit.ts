/**
 * The desk's audit events, added to the identity module's typed event list. Details carry codes and
 * identifiers only: never a name, a phone number, a note or a summary.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { recordAudit, type AuditActor } from '../../platform/audit.ts';

declare module '../../platform/audit.ts' {
  interface AuditEventDetails {
    'helpline.case_opened': { source: string };
    'helpline.case_claimed': Record<string, never>;
    'helpline.case_assigned': { assignee: string };
    'helpline.reply_sent': Record<string, never>;
    'helpline.note_added': Record<string, never>;
    'helpline.case_classified': { dangerLevel: string };
    'helpline.call_registered': { linked: boolean; opened: boolean };
    'helpline.callback_started': { callbackId: string };
    'helpline.callback_refused': { why: string };
    'helpline.callback_finished': { result: string };
    'helpline.referral_created': { kind: string };
    'helpline.referral_updated': { status: string };
    'helpline.mandatory_report': { channel: string };
    'helpline.case_closed': { outcome: string };
    'helpline.settings_changed': { firstResponseMinutes: number; provinces: string[] };
    'helpline.coverage_approved': { provinces: string[]; national: boolean };
    'helpline.shift_added': Record<string, never>;
    'helpline.shift_removed': Record<string, never>;
    'helpline.order_started': Record<string, never>;
    'helpline.evidence_opened': { evidenceId: string };
    'helpline.capacity_flagged': { lacksCapacity: boolean };
  }
}

export { recordAudit };
export type { AuditActor, Transaction, Database };

/**
 * The reports module's audit events (added to the identity module's typed list by module augmentation): every
 * export (CSV per table, PDF of the whole report) and every publication. Details say what left the system —
 * organisation (or `all`), period, language, format and suppression threshold — never a figure or a name.
 * Exports are written before the file is sent (an export that cannot be audited is not sent); publishing writes
 * its event in the transaction that stores the snapshot.
 */
import type { FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { auditActorFrom, recordAudit, recordAuditAlone } from '../../platform/audit.ts';
import type { WorkReportT } from './reports.schemas.ts';

declare module '../../platform/audit.ts' {
  interface AuditEventDetails {
    'reports.exported': {
      format: 'csv' | 'pdf';
      /** The table exported as CSV; absent for the PDF (the whole report). */
      table?: string;
      organisation: string;
      from: string;
      to: string;
      language: string;
      threshold: number;
    };
    'reports.published': { organisation: string; from: string; to: string; threshold: number };
  }
}

/** The report's organisation as the audit record: its id, or `all` for a platform-wide report. */
const organisationRef = (report: WorkReportT): string => report.organisation.id ?? 'all';

export async function auditReportExport(
  db: Db,
  request: FastifyRequest,
  report: WorkReportT,
  export_: { format: 'csv' | 'pdf'; table?: string },
): Promise<void> {
  await recordAuditAlone(db, {
    event: 'reports.exported',
    actor: auditActorFrom(request),
    record: { type: 'report_organisation', id: organisationRef(report) },
    details: {
      format: export_.format,
      ...(export_.table ? { table: export_.table } : {}),
      organisation: organisationRef(report),
      from: report.period.from,
      to: report.period.to,
      language: report.language,
      threshold: report.suppression.threshold,
    },
  });
}

export async function auditReportPublished(
  trx: Transaction<Database>,
  request: FastifyRequest,
  publicationId: string,
  report: WorkReportT,
): Promise<void> {
  await recordAudit(trx, {
    event: 'reports.published',
    actor: auditActorFrom(request),
    record: { type: 'report_publication', id: publicationId },
    details: {
      organisation: organisationRef(report),
      from: report.period.from,
      to: report.period.to,
      threshold: report.suppression.threshold,
    },
  });
}

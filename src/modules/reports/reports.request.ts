/**
 * The work report a request asks for: its period (validated) and organisation (one's own; platform admins all
 * or any; 404 for anything else), read from the rollups after folding in what is new. Shared by the report
 * page, the exports, publishing (page and API) and `getWorkReport`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.ts';
import type { Locale } from '../../platform/i18n/catalog.ts';
import { requireStaff } from '../../platform/access-guard.ts';
import { findOrganisation } from '../identity/identity.directory.service.ts';
import { foldIfStale } from './reports.fold.ts';
import type { WorkReportT } from './reports.schemas.ts';
import {
  buildWorkReport,
  defaultPeriod,
  isCalendarDate,
  isValidPeriod,
  reportText,
} from './reports.service.ts';
import { DEFAULT_SUPPRESSION_THRESHOLD } from './reports.suppress.ts';
import { isUuid } from '../../platform/ids.ts';

export interface ReportAsk {
  from?: string;
  to?: string;
  organisation?: string;
  threshold?: number;
}

/** The organisation a report is for: one's own, or (platform admins) all or any. 404 for anything else. */
export async function organisationFor(
  app: FastifyInstance,
  request: FastifyRequest,
  param: string | undefined,
): Promise<{ id: string | null; name: string }> {
  const staff = requireStaff(request);
  const all = request.access?.scope === 'all';
  const allName = reportText(request.locale, 'reports.allOrganisations');
  if (param === undefined || param === '')
    return all ? { id: null, name: allName } : { id: staff.organisationId, name: staff.organisationName };
  if (param === 'all') {
    if (!all) throw new AppError('NOT_FOUND');
    return { id: null, name: allName };
  }
  if (param === staff.organisationId) return { id: staff.organisationId, name: staff.organisationName };
  if (!all || !isUuid(param)) throw new AppError('NOT_FOUND');
  // The organisation's name only, from identity's directory service.
  const row = await findOrganisation(app.db, param);
  if (!row) throw new AppError('NOT_FOUND');
  return { id: row.id, name: row.name };
}

export function periodOf(query: { from?: string; to?: string }): { from: string; to: string } {
  const fallback = defaultPeriod();
  const from = query.from || fallback.from;
  const to = query.to || fallback.to;
  for (const [field, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!isCalendarDate(value))
      throw new AppError('VALIDATION', { fields: [{ field, message: 'validation.format' }] });
  }
  if (!isValidPeriod(from, to))
    throw new AppError('VALIDATION', { fields: [{ field: 'from', message: 'reports.validation.period' }] });
  return { from, to };
}

export async function buildReportFor(
  app: FastifyInstance,
  request: FastifyRequest,
  query: ReportAsk & { suppress?: boolean },
  options: { suppressed: boolean; locale?: Locale },
): Promise<WorkReportT> {
  const period = periodOf(query);
  const organisation = await organisationFor(app, request, query.organisation);
  await foldIfStale(app.db);
  return buildWorkReport(app.db, {
    ...period,
    organisationId: organisation.id,
    organisationName: organisation.name,
    locale: options.locale ?? request.locale,
    threshold: options.suppressed ? (query.threshold ?? DEFAULT_SUPPRESSION_THRESHOLD) : 1,
  });
}

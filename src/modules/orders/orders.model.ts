/**
 * The protection-order rules as pure functions (LAW.md; ADVL 23–34, SPC 1–12): who may apply and for whom,
 * what an application must contain (with the exact list of what is missing), the legal clock (72 hours from
 * acceptance, 24 when urgent), validity (at most 6 months), the reconsideration window (5 days), enforcement
 * limits (fine ≤ 1,000 yuan, detention ≤ 15 days), case numbers with the `民保令` prefix, and court routing.
 */
import type { FieldProblem } from '../../platform/errors.ts';

export const HOUR_MS = 60 * 60_000;
export const DAY_MS = 24 * HOUR_MS;

/** ADVL 28: rule within 72 hours of accepting, 24 hours when urgent. */
export const RULING_HOURS = { normal: 72, urgent: 24 } as const;
/** Warn the court this long before the ruling deadline (a quarter of the clock: 18 h / 6 h). */
export const RULING_WARNING_FRACTION = 0.25;
/** ADVL 31: reconsideration once, within 5 days of the ruling taking effect. */
export const RECONSIDERATION_DAYS = 5;
/** ADVL 30: valid up to 6 months from the day made. */
export const MAX_VALIDITY_MONTHS = 6;
/** Expiry reminders (days before the order ends) so she can apply to extend in time (ADVL 30). */
export const EXPIRY_REMINDER_DAYS = [14, 3] as const;
/** ADVL 34: enforcement limits. */
export const MAX_FINE_YUAN = 1000;
export const MAX_DETENTION_DAYS = 15;
/** Police follow-up visit after a written warning (a 2024 local rule; LAW.md marks it unverified as national). */
export const WARNING_FOLLOW_UP_DAYS = 7;

/** ADVL 29, SPC 10. */
export const MEASURES = [
  'no_violence',
  'no_contact',
  'move_out',
  'no_insults',
  'keep_away',
  'other',
] as const;
export type Measure = (typeof MEASURES)[number];

/** ADVL 23, SPC 2: who may apply on her behalf. */
export const PROXY_KINDS = [
  'close_relative',
  'police',
  'womens_federation',
  'residents_committee',
  'villagers_committee',
  'relief_institution',
  'civil_affairs',
  'disabled_persons_federation',
  'elderly_organisation',
] as const;
export type ProxyKind = (typeof PROXY_KINDS)[number];

/** Why the victim cannot apply herself (ADVL 23): a proxy application must say which. */
export const PROXY_REASONS = ['no_capacity', 'limited_capacity', 'coerced', 'threatened', 'minor'] as const;
export type ProxyReason = (typeof PROXY_REASONS)[number];

export const RELATIONSHIPS = [
  'spouse',
  'former_spouse',
  'partner',
  'former_partner',
  'parent',
  'child',
  'in_law',
  'sibling',
  'guardian',
  'cohabitant',
  'other_family',
] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

/** ADVL 25: the basis of the court's competence. */
export const VENUE_BASES = ['applicant', 'respondent', 'violence'] as const;
export type VenueBasis = (typeof VENUE_BASES)[number];

export const CHANNELS = ['portal', 'ngo', 'oral'] as const;
export type Channel = (typeof CHANNELS)[number];

export const APPLICATION_STATUSES = [
  'draft',
  'submitted',
  'returned',
  'accepted',
  'granted',
  'rejected',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const ENFORCEMENT = ['admonition', 'fine', 'detention', 'referral', 'no_violation'] as const;
export type Enforcement = (typeof ENFORCEMENT)[number];

export const SERVICE_PARTIES = ['respondent', 'applicant', 'police', 'committee'] as const;
export type ServiceParty = (typeof SERVICE_PARTIES)[number];
export const SERVICE_METHODS = ['in_person', 'electronic', 'post', 'in_app', 'left_at_address'] as const;
export type ServiceMethod = (typeof SERVICE_METHODS)[number];

export const QUESTIONING_CHANNELS = ['platform', 'phone', 'sms', 'chat', 'email', 'in_person'] as const;
export type QuestioningChannel = (typeof QUESTIONING_CHANNELS)[number];

export interface Person {
  name: string;
  /** Optional: identity document number, for the respondent "identified" (ADVL 27). */
  idNumber?: string;
  gender?: 'female' | 'male' | 'other';
  birthYear?: number;
  phone?: string;
  address?: string;
  /** GB/T 2260 code of where the person lives (district, 6 digits, or coarser). */
  regionCode?: string;
  /** A description when name and ID are not enough (SPC: the respondent must be identifiable). */
  description?: string;
}

export interface Incident {
  /** YYYY-MM-DD */
  date: string;
  place?: string;
  description: string;
}

export interface Proxy {
  kind: ProxyKind;
  name: string;
  reason: ProxyReason;
  /** The victim's wishes as the proxy recorded them (ADVL 23: a proxy acts according to her wishes). */
  victimWishes: string;
}

/** What an applicant fills in; every field optional while it is a draft. */
export interface ApplicationInput {
  applicant?: Partial<Person>;
  respondent?: Partial<Person>;
  relationship?: string;
  proxy?: Partial<Proxy> | null;
  incidents?: Partial<Incident>[];
  measures?: string[];
  otherMeasure?: string;
  /** Distance in metres for `keep_away`. */
  keepAwayMetres?: number;
  keepAwayPlaces?: string;
  urgent?: boolean;
  urgentReason?: string;
  venueBasis?: string;
  violenceRegionCode?: string;
  evidenceIds?: string[];
  consentOnline?: boolean;
  consentElectronicService?: boolean;
}

const CN_ID = /^\d{17}[\dX]$/;
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/**
 * A resident identity number (GB 11643-1999): 18 characters, the 7th–14th a real date of birth, and the last the
 * ISO 7064 MOD 11-2 check character of the first 17 (a mistyped digit fails the check, so it is never printed on
 * an order). Lower-case x is accepted as X.
 */
export function isIdNumber(input: string): boolean {
  const id = input.trim().toUpperCase();
  if (!CN_ID.test(id)) return false;
  const [y, m, d] = [Number(id.slice(6, 10)), Number(id.slice(10, 12)), Number(id.slice(12, 14))];
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d || birth.getTime() > Date.now())
    return false;
  const sum = ID_WEIGHTS.reduce((total, weight, i) => total + weight * Number(id[i]), 0);
  return ID_CHECK[sum % 11] === id[17];
}
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const REGION = /^\d{2}(\d{2}){0,2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const LIMITS = { name: 60, text: 4000, short: 300, incidents: 30, evidence: 50 } as const;

function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

function tooLong(field: string, value: string | undefined, max: number, problems: FieldProblem[]): void {
  if (value !== undefined && value.length > max)
    problems.push({ field, message: 'orders.problem.tooLong', params: { max } });
}

/**
 * Everything that stops the application from being filed, each problem named by its field and saying what is
 * missing. A draft may be saved with problems; submitting requires none. `isRegion` checks GB/T 2260 codes.
 */
export function applicationProblems(
  input: ApplicationInput,
  isRegion: (code: string) => boolean,
  today: string,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const a = input.applicant ?? {};
  const r = input.respondent ?? {};
  if (blank(a.name)) problems.push({ field: 'applicant.name', message: 'orders.problem.applicantName' });
  tooLong('applicant.name', a.name, LIMITS.name, problems);
  if (blank(a.regionCode))
    problems.push({ field: 'applicant.regionCode', message: 'orders.problem.applicantRegion' });
  else if (!REGION.test(a.regionCode ?? '') || !isRegion(a.regionCode ?? ''))
    problems.push({ field: 'applicant.regionCode', message: 'orders.problem.region' });
  tooLong('applicant.address', a.address, LIMITS.short, problems);
  if (a.phone !== undefined && a.phone.trim() !== '' && !/^[+\d][\d\s-]{5,19}$/.test(a.phone.trim()))
    problems.push({ field: 'applicant.phone', message: 'orders.problem.phone' });
  if (a.idNumber !== undefined && a.idNumber.trim() !== '' && !isIdNumber(a.idNumber))
    problems.push({ field: 'applicant.idNumber', message: 'orders.problem.idNumber' });

  // ADVL 27: the respondent must be named and identifiable.
  if (blank(r.name)) problems.push({ field: 'respondent.name', message: 'orders.problem.respondentName' });
  tooLong('respondent.name', r.name, LIMITS.name, problems);
  if (blank(r.idNumber) && blank(r.description) && r.birthYear === undefined)
    problems.push({ field: 'respondent.idNumber', message: 'orders.problem.respondentIdentified' });
  if (r.idNumber !== undefined && r.idNumber.trim() !== '' && !isIdNumber(r.idNumber))
    problems.push({ field: 'respondent.idNumber', message: 'orders.problem.idNumber' });
  if (
    r.birthYear !== undefined &&
    (!Number.isInteger(r.birthYear) || r.birthYear < 1900 || r.birthYear > Number(today.slice(0, 4)))
  )
    problems.push({ field: 'respondent.birthYear', message: 'orders.problem.birthYear' });
  tooLong('respondent.description', r.description, LIMITS.short, problems);
  if (
    r.regionCode !== undefined &&
    r.regionCode !== '' &&
    (!REGION.test(r.regionCode) || !isRegion(r.regionCode))
  )
    problems.push({ field: 'respondent.regionCode', message: 'orders.problem.region' });

  // ADVL 37, SPC 4: between family members or cohabitants.
  if (blank(input.relationship))
    problems.push({ field: 'relationship', message: 'orders.problem.relationship' });
  else if (!(RELATIONSHIPS as readonly string[]).includes(input.relationship ?? ''))
    problems.push({ field: 'relationship', message: 'orders.problem.choice' });

  // ADVL 23: a proxy names who they are, why she cannot apply herself, and her wishes.
  if (input.proxy) {
    const p = input.proxy;
    if (!p.kind || !(PROXY_KINDS as readonly string[]).includes(p.kind))
      problems.push({ field: 'proxy.kind', message: 'orders.problem.proxyKind' });
    if (blank(p.name)) problems.push({ field: 'proxy.name', message: 'orders.problem.proxyName' });
    if (!p.reason || !(PROXY_REASONS as readonly string[]).includes(p.reason))
      problems.push({ field: 'proxy.reason', message: 'orders.problem.proxyReason' });
    if (blank(p.victimWishes))
      problems.push({ field: 'proxy.victimWishes', message: 'orders.problem.victimWishes' });
    tooLong('proxy.victimWishes', p.victimWishes, LIMITS.text, problems);
  }

  // ADVL 27: facts of violence or a real danger of it, as dated incidents.
  const incidents = input.incidents ?? [];
  if (incidents.length === 0) problems.push({ field: 'incidents', message: 'orders.problem.incidents' });
  if (incidents.length > LIMITS.incidents)
    problems.push({
      field: 'incidents',
      message: 'orders.problem.tooMany',
      params: { max: LIMITS.incidents },
    });
  incidents.forEach((incident, i) => {
    if (!incident.date || !DATE.test(incident.date) || Number.isNaN(Date.parse(incident.date)))
      problems.push({ field: `incidents.${i}.date`, message: 'orders.problem.incidentDate' });
    else if (incident.date > today)
      problems.push({ field: `incidents.${i}.date`, message: 'orders.problem.futureDate' });
    if (blank(incident.description))
      problems.push({ field: `incidents.${i}.description`, message: 'orders.problem.incidentDescription' });
    tooLong(`incidents.${i}.description`, incident.description, LIMITS.text, problems);
  });

  // ADVL 27: a specific request (ADVL 29 / SPC 10 list).
  const measures = input.measures ?? [];
  if (measures.length === 0) problems.push({ field: 'measures', message: 'orders.problem.measures' });
  if (measures.some((m) => !(MEASURES as readonly string[]).includes(m)))
    problems.push({ field: 'measures', message: 'orders.problem.choice' });
  if (measures.includes('other') && blank(input.otherMeasure))
    problems.push({ field: 'otherMeasure', message: 'orders.problem.otherMeasure' });
  tooLong('otherMeasure', input.otherMeasure, LIMITS.short, problems);
  if (measures.includes('keep_away')) {
    if (
      input.keepAwayMetres === undefined ||
      !Number.isInteger(input.keepAwayMetres) ||
      input.keepAwayMetres < 50 ||
      input.keepAwayMetres > 5000
    )
      problems.push({ field: 'keepAwayMetres', message: 'orders.problem.keepAwayMetres' });
    if (blank(input.keepAwayPlaces))
      problems.push({ field: 'keepAwayPlaces', message: 'orders.problem.keepAwayPlaces' });
  }
  if (input.urgent && blank(input.urgentReason))
    problems.push({ field: 'urgentReason', message: 'orders.problem.urgentReason' });

  // ADVL 25: which court.
  const basis = input.venueBasis ?? 'applicant';
  if (!(VENUE_BASES as readonly string[]).includes(basis))
    problems.push({ field: 'venueBasis', message: 'orders.problem.choice' });
  if (basis === 'respondent' && blank(r.regionCode))
    problems.push({ field: 'respondent.regionCode', message: 'orders.problem.respondentRegion' });
  if (basis === 'violence') {
    if (blank(input.violenceRegionCode))
      problems.push({ field: 'violenceRegionCode', message: 'orders.problem.violenceRegion' });
    else if (!REGION.test(input.violenceRegionCode ?? '') || !isRegion(input.violenceRegionCode ?? ''))
      problems.push({ field: 'violenceRegionCode', message: 'orders.problem.region' });
  }

  if ((input.evidenceIds ?? []).some((id) => !UUID.test(id)))
    problems.push({ field: 'evidenceIds', message: 'orders.problem.evidence' });
  if ((input.evidenceIds ?? []).length > LIMITS.evidence)
    problems.push({
      field: 'evidenceIds',
      message: 'orders.problem.tooMany',
      params: { max: LIMITS.evidence },
    });

  // OLR 4: online proceedings need her consent. Electronic service (OLR 29–30) is optional: without consent she is served on paper.
  if (input.consentOnline !== true)
    problems.push({ field: 'consentOnline', message: 'orders.problem.consentOnline' });
  return problems;
}

/** The region code the court is chosen by (ADVL 25). */
export function venueRegion(input: ApplicationInput): string | undefined {
  switch ((input.venueBasis ?? 'applicant') as VenueBasis) {
    case 'applicant':
      return input.applicant?.regionCode;
    case 'respondent':
      return input.respondent?.regionCode;
    case 'violence':
      return input.violenceRegionCode;
  }
}

export interface OrganisationPlace {
  id: string;
  name: string;
  regionCode: string;
}

/**
 * The organisation serving a place: the one whose region is the longest prefix of the place's code (a district
 * court before a city's intermediate court; ties broken by id so the choice is stable).
 */
export function servingOrganisation<T extends OrganisationPlace>(
  candidates: readonly T[],
  place: string,
): T | undefined {
  let best: T | undefined;
  for (const c of candidates) {
    if (!place.startsWith(c.regionCode)) continue;
    if (
      !best ||
      c.regionCode.length > best.regionCode.length ||
      (c.regionCode.length === best.regionCode.length && c.id < best.id)
    )
      best = c;
  }
  return best;
}

/** When the ruling is due: 72 hours after acceptance, 24 when urgent (ADVL 28). */
export function rulingDeadline(acceptedAt: Date, urgent: boolean): Date {
  return new Date(acceptedAt.getTime() + (urgent ? RULING_HOURS.urgent : RULING_HOURS.normal) * HOUR_MS);
}

/** When the court is warned that the deadline is near. */
export function rulingWarningAt(acceptedAt: Date, urgent: boolean): Date {
  const total = (urgent ? RULING_HOURS.urgent : RULING_HOURS.normal) * HOUR_MS;
  return new Date(acceptedAt.getTime() + total * (1 - RULING_WARNING_FRACTION));
}

export type ClockState = 'ok' | 'warning' | 'breached';

export function clockState(due: Date, acceptedAt: Date, urgent: boolean, now: Date): ClockState {
  if (now.getTime() >= due.getTime()) return 'breached';
  if (now.getTime() >= rulingWarningAt(acceptedAt, urgent).getTime()) return 'warning';
  return 'ok';
}

/** Time left as hours and minutes (negative when overdue), for "time left" displays. */
export function timeLeft(due: Date, now: Date): { overdue: boolean; hours: number; minutes: number } {
  const ms = due.getTime() - now.getTime();
  const abs = Math.abs(ms);
  return { overdue: ms < 0, hours: Math.floor(abs / HOUR_MS), minutes: Math.floor((abs % HOUR_MS) / 60_000) };
}

/** Calendar months later, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb). */
export function addMonths(date: Date, months: number): Date {
  const result = new Date(date.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const last = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, last));
  return result;
}

/** China's calendar day (UTC+8) of an instant, at 00:00 UTC of that date. */
function chinaDay(at: Date): Date {
  const local = new Date(at.getTime() + 8 * HOUR_MS);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()));
}

/** The last instant of a China calendar day given as 00:00 UTC of that date (23:59:59.999 in Beijing). */
function endOfChinaDay(day: Date): Date {
  return new Date(day.getTime() + 16 * HOUR_MS - 1);
}

/**
 * The end of a period of `months` months that starts on the China calendar day of `from`, counted as the courts
 * count an order's validity: six months from 15 March ends on 14 September (the day before the same date), and when
 * the later month has no such date (from 31 August) the period ends on that month's last day. Ends at 23:59:59 in
 * Beijing.
 */
export function periodEnd(from: Date, months: number): Date {
  const start = chinaDay(from);
  const day = start.getUTCDate();
  const sameDate = addMonths(start, months);
  const end = sameDate.getUTCDate() === day ? new Date(sameDate.getTime() - DAY_MS) : sameDate;
  return endOfChinaDay(end);
}

/** The latest end an order (or an extension) starting at `from` may have (ADVL 30: up to 6 months). */
export function maxValidUntil(from: Date): Date {
  return periodEnd(from, MAX_VALIDITY_MONTHS);
}

/** When an extension starts: the first moment after the order's current end (the next China calendar day). */
export function extensionStart(currentEnd: Date): Date {
  return new Date(endOfChinaDay(chinaDay(currentEnd)).getTime() + 1);
}

export function reconsiderationClosesAt(effectiveAt: Date): Date {
  return new Date(effectiveAt.getTime() + RECONSIDERATION_DAYS * DAY_MS);
}

export interface DecisionInput {
  outcome: 'grant' | 'reject';
  measures?: string[];
  otherMeasure?: string;
  keepAwayMetres?: number;
  validMonths?: number;
  validUntil?: string;
  terms?: string;
  reasons?: string;
}

export function decisionProblems(input: DecisionInput, now: Date): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (input.outcome === 'reject') {
    if (blank(input.reasons)) problems.push({ field: 'reasons', message: 'orders.problem.reasons' });
    tooLong('reasons', input.reasons, LIMITS.text, problems);
    return problems;
  }
  const measures = input.measures ?? [];
  if (measures.length === 0) problems.push({ field: 'measures', message: 'orders.problem.measures' });
  if (measures.some((m) => !(MEASURES as readonly string[]).includes(m)))
    problems.push({ field: 'measures', message: 'orders.problem.choice' });
  if (measures.includes('other') && blank(input.otherMeasure))
    problems.push({ field: 'otherMeasure', message: 'orders.problem.otherMeasure' });
  if (
    measures.includes('keep_away') &&
    (input.keepAwayMetres === undefined || input.keepAwayMetres < 50 || input.keepAwayMetres > 5000)
  )
    problems.push({ field: 'keepAwayMetres', message: 'orders.problem.keepAwayMetres' });
  const until = orderValidUntil(input, now);
  if (!until)
    problems.push({
      field: 'validUntil',
      message: 'orders.problem.validity',
      params: { months: MAX_VALIDITY_MONTHS },
    });
  tooLong('terms', input.terms, LIMITS.text, problems);
  return problems;
}

/**
 * The end of an order (or an extension) whose validity starts at `from` — the ruling, or for an extension the day
 * after the current end — from a number of months (counted as `periodEnd` does) or a last date; undefined when it
 * is not after `from` or beyond 6 months (ADVL 30).
 */
export function orderValidUntil(
  input: Pick<DecisionInput, 'validMonths' | 'validUntil'>,
  from: Date,
): Date | undefined {
  let until: Date | undefined;
  if (input.validUntil && DATE.test(input.validUntil))
    until = endOfChinaDay(new Date(`${input.validUntil}T00:00:00Z`));
  else if (input.validMonths !== undefined && Number.isInteger(input.validMonths) && input.validMonths >= 1)
    until = periodEnd(from, input.validMonths);
  if (!until || Number.isNaN(until.getTime())) return undefined;
  if (until.getTime() <= from.getTime()) return undefined;
  if (until.getTime() > maxValidUntil(from).getTime()) return undefined;
  return until;
}

export interface ViolationDecisionInput {
  outcome: Enforcement;
  fineYuan?: number;
  detentionDays?: number;
  reasons?: string;
}

/** ADVL 34: admonition, fine up to 1,000 yuan, detention up to 15 days, or referral for prosecution. */
export function violationDecisionProblems(input: ViolationDecisionInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (
    input.outcome === 'fine' &&
    (input.fineYuan === undefined ||
      !Number.isInteger(input.fineYuan) ||
      input.fineYuan < 1 ||
      input.fineYuan > MAX_FINE_YUAN)
  ) {
    problems.push({ field: 'fineYuan', message: 'orders.problem.fine', params: { max: MAX_FINE_YUAN } });
  }
  if (
    input.outcome === 'detention' &&
    (input.detentionDays === undefined ||
      !Number.isInteger(input.detentionDays) ||
      input.detentionDays < 1 ||
      input.detentionDays > MAX_DETENTION_DAYS)
  ) {
    problems.push({
      field: 'detentionDays',
      message: 'orders.problem.detention',
      params: { max: MAX_DETENTION_DAYS },
    });
  }
  if (input.outcome !== 'fine' && input.fineYuan !== undefined)
    problems.push({ field: 'fineYuan', message: 'orders.problem.notForOutcome' });
  if (input.outcome !== 'detention' && input.detentionDays !== undefined)
    problems.push({ field: 'detentionDays', message: 'orders.problem.notForOutcome' });
  if (blank(input.reasons)) problems.push({ field: 'reasons', message: 'orders.problem.reasons' });
  tooLong('reasons', input.reasons, LIMITS.text, problems);
  return problems;
}

/** Province abbreviations used in case numbers (GB/T 2260 two-digit codes). */
const PROVINCE_ABBR: Record<string, string> = {
  '11': '京',
  '12': '津',
  '13': '冀',
  '14': '晋',
  '15': '内',
  '21': '辽',
  '22': '吉',
  '23': '黑',
  '31': '沪',
  '32': '苏',
  '33': '浙',
  '34': '皖',
  '35': '闽',
  '36': '赣',
  '37': '鲁',
  '41': '豫',
  '42': '鄂',
  '43': '湘',
  '44': '粤',
  '45': '桂',
  '46': '琼',
  '50': '渝',
  '51': '川',
  '52': '贵',
  '53': '云',
  '54': '藏',
  '61': '陕',
  '62': '甘',
  '63': '青',
  '64': '宁',
  '65': '新',
  '71': '台',
  '81': '港',
  '82': '澳',
};

/** A case number in the courts' style: `（2026）苏0102民保令12号` (year, province, court code, type, sequence). */
export function caseNumber(year: number, courtRegionCode: string, sequence: number): string {
  const province = PROVINCE_ABBR[courtRegionCode.slice(0, 2)] ?? '';
  const courtCode = courtRegionCode.padEnd(6, '0').slice(2, 6);
  return `（${year}）${province}${courtCode}民保令${sequence}号`;
}

/** The date in China (UTC+8) as YYYY-MM-DD. */
export function chinaDate(date: Date): string {
  return new Date(date.getTime() + 8 * HOUR_MS).toISOString().slice(0, 10);
}

/** `2026年5月21日`, as court documents write dates. */
export function chineseDate(date: Date): string {
  const [y, m, d] = chinaDate(date).split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** The survivor's timeline steps, in order (issue 7). */
export const TIMELINE_KINDS = [
  'received',
  'returned',
  'transferred',
  'accepted',
  'in_review',
  'questioned',
  'granted',
  'rejected',
  'served',
  'expiring',
  'extended',
  'modified',
  'revoked',
  'expired',
  'reconsideration_requested',
  'reconsideration_decided',
  'violation_reported',
  'violation_decided',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/**
 * The help module's vocabulary (PRODUCT.md "Classification every record uses"), the shape of a help request
 * and a call-back request, and the checks every one of them passes before anything is stored. Pure functions:
 * the JSON API and the HTML forms both end here, so the rules cannot drift apart.
 */
import type { FieldProblem } from '../../platform/errors.ts';

export const REQUEST_TYPES = ['domestic_violence', 'sexual_harassment', 'sexual_assault', 'other'] as const;
export const VIOLENCE_FORMS = [
  'physical',
  'verbal_abuse',
  'belittling',
  'rumours',
  'threats',
  'death_threats',
  'slut_shaming',
  'sexual',
  'economic',
  'restriction',
  'stalking',
  'neglect',
] as const;
export const RELATIONSHIPS = [
  'spouse',
  'former_spouse',
  'partner',
  'parent_to_child',
  'child_to_parent',
  'sibling',
  'in_law',
  'other_family',
  'cohabitant',
  'other',
] as const;
export const AGE_BANDS = ['under_14', '14_17', '18_29', '30_39', '40_49', '50_59', '60_plus'] as const;
export const GENDERS = ['female', 'male', 'other', 'not_said'] as const;
export const CONTACT_CHANNELS = ['none', 'in_app', 'phone', 'sms', 'email'] as const;
export const DIRECTORY_KINDS = [
  'police',
  'federation',
  'court',
  'legal_aid',
  'shelter',
  'hospital',
  'counselling',
] as const;

export type RequestType = (typeof REQUEST_TYPES)[number];
export type ViolenceForm = (typeof VIOLENCE_FORMS)[number];
export type Relationship = (typeof RELATIONSHIPS)[number];
export type AgeBand = (typeof AGE_BANDS)[number];
export type Gender = (typeof GENDERS)[number];
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export type DirectoryKind = (typeof DIRECTORY_KINDS)[number];

/** Provincial-level divisions with their GB/T 2260 codes (first two digits). */
export const PROVINCES: readonly { code: string; zh: string; en: string }[] = [
  { code: '11', zh: '北京市', en: 'Beijing' },
  { code: '12', zh: '天津市', en: 'Tianjin' },
  { code: '13', zh: '河北省', en: 'Hebei' },
  { code: '14', zh: '山西省', en: 'Shanxi' },
  { code: '15', zh: '内蒙古自治区', en: 'Inner Mongolia' },
  { code: '21', zh: '辽宁省', en: 'Liaoning' },
  { code: '22', zh: '吉林省', en: 'Jilin' },
  { code: '23', zh: '黑龙江省', en: 'Heilongjiang' },
  { code: '31', zh: '上海市', en: 'Shanghai' },
  { code: '32', zh: '江苏省', en: 'Jiangsu' },
  { code: '33', zh: '浙江省', en: 'Zhejiang' },
  { code: '34', zh: '安徽省', en: 'Anhui' },
  { code: '35', zh: '福建省', en: 'Fujian' },
  { code: '36', zh: '江西省', en: 'Jiangxi' },
  { code: '37', zh: '山东省', en: 'Shandong' },
  { code: '41', zh: '河南省', en: 'Henan' },
  { code: '42', zh: '湖北省', en: 'Hubei' },
  { code: '43', zh: '湖南省', en: 'Hunan' },
  { code: '44', zh: '广东省', en: 'Guangdong' },
  { code: '45', zh: '广西壮族自治区', en: 'Guangxi' },
  { code: '46', zh: '海南省', en: 'Hainan' },
  { code: '50', zh: '重庆市', en: 'Chongqing' },
  { code: '51', zh: '四川省', en: 'Sichuan' },
  { code: '52', zh: '贵州省', en: 'Guizhou' },
  { code: '53', zh: '云南省', en: 'Yunnan' },
  { code: '54', zh: '西藏自治区', en: 'Tibet' },
  { code: '61', zh: '陕西省', en: 'Shaanxi' },
  { code: '62', zh: '甘肃省', en: 'Gansu' },
  { code: '63', zh: '青海省', en: 'Qinghai' },
  { code: '64', zh: '宁夏回族自治区', en: 'Ningxia' },
  { code: '65', zh: '新疆维吾尔自治区', en: 'Xinjiang' },
  { code: '71', zh: '台湾省', en: 'Taiwan' },
  { code: '81', zh: '香港特别行政区', en: 'Hong Kong' },
  { code: '82', zh: '澳门特别行政区', en: 'Macao' },
];
export const PROVINCE_CODES = PROVINCES.map((p) => p.code);

/**
 * Help requests and call-backs accepted per network address per hour. Mobile carriers in China put many phones
 * behind one address (carrier-grade NAT), so this only stops floods; it must not turn away a second survivor.
 */
export const SUBMISSIONS_PER_HOUR = 60;

/** The text of the consent she gives; bump the version whenever the wording of the consent changes. */
export const CONSENT_VERSION = 'help-consent-2026-11';

export const LIMITS = {
  narrative: 5000,
  message: 5000,
  otherType: 100,
  city: 40,
  codeWord: 30,
  phone: 20,
  email: 120,
  windows: 3,
} as const;

export interface TimeWindow {
  from: string;
  to: string;
}

export interface ContactRules {
  channel: ContactChannel;
  phone?: string;
  email?: string;
  /** Times of day (China time) when contact is safe; empty = any time. */
  windows: TimeWindow[];
  codeWord?: string;
  noVoicemail: boolean;
  noSms: boolean;
}

export interface HelpRequestInput {
  requestType: RequestType;
  otherType?: string;
  narrative: string;
  ageBand?: AgeBand;
  gender?: Gender;
  minor?: boolean;
  province?: string;
  city?: string;
  forms: ViolenceForm[];
  relationship?: Relationship;
  childrenWitnessed?: boolean;
  contact: ContactRules;
  consentSensitive: boolean;
  /** Under 14 only: the parent or guardian may be the person hurting her. */
  guardianMayBeAbuser?: boolean;
  neutralTitles?: boolean;
  /** A child's way back: five simple words instead of 12 digits (same strength; see help.words.ts). */
  wordSecret?: boolean;
  /** Danger self-assessment answers she chose to attach (DA-5, yes/no per item). */
  dangerAnswers?: boolean[];
}

export interface CallbackInput {
  phone: string;
  windows: TimeWindow[];
  codeWord?: string;
  noVoicemail: boolean;
  noSms: boolean;
  consentSensitive: boolean;
}

const HTML_TAG = /<\s*\/?\s*[a-z!?][^>]*>|<\s*script|javascript:/i;
// Control characters other than tab and line breaks are never part of what a person writes.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const PHONE = /^\+?[0-9][0-9 -]{4,18}$/;
const EMAIL = /^[^\s@<>]{1,64}@[^\s@<>]{1,100}\.[a-z]{2,24}$/i;

export const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** Problems with a piece of free text she typed; `undefined` text is not checked here. */
export function textProblems(field: string, text: string, limit: number, required: boolean): FieldProblem[] {
  const trimmed = text.trim();
  if (trimmed === '') return required ? [{ field, message: 'validation.required' }] : [];
  if ([...trimmed].length > limit) return [{ field, message: 'validation.tooLong', params: { limit } }];
  if (HTML_TAG.test(trimmed)) return [{ field, message: 'help.validation.markup' }];
  if (CONTROL.test(trimmed)) return [{ field, message: 'validation.invalid' }];
  return [];
}

/** Problems with a directory search term: markup. (Control characters in any query value are refused earlier, by
 * the platform's guard in platform/request-guards.ts.) */
export function searchProblems(field: string, q: string | undefined): FieldProblem[] {
  if (q && /[<>]/.test(q)) return [{ field, message: 'help.validation.markup' }];
  return [];
}

export function windowProblems(windows: TimeWindow[], field = 'contact.windows'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (windows.length > LIMITS.windows)
    return [{ field, message: 'validation.tooMany', params: { limit: LIMITS.windows } }];
  windows.forEach((w, i) => {
    const at = `${field}.${i}`;
    if (!TIME.test(w.from)) problems.push({ field: `${at}.from`, message: 'help.validation.time' });
    if (!TIME.test(w.to)) problems.push({ field: `${at}.to`, message: 'help.validation.time' });
    if (TIME.test(w.from) && TIME.test(w.to) && minutesOf(w.from) >= minutesOf(w.to)) {
      problems.push({ field: `${at}.to`, message: 'help.validation.windowOrder' });
    }
  });
  return problems;
}

function phoneProblems(field: string, phone: string | undefined, required: boolean): FieldProblem[] {
  if (phone === undefined || phone.trim() === '')
    return required ? [{ field, message: 'help.validation.phoneRequired' }] : [];
  if (phone.length > LIMITS.phone || !PHONE.test(phone.trim()) || phone.replace(/\D/g, '').length < 5) {
    return [{ field, message: 'help.validation.phone' }];
  }
  return [];
}

export function contactProblems(contact: ContactRules): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const byPhone = contact.channel === 'phone' || contact.channel === 'sms';
  problems.push(...phoneProblems('contact.phone', contact.phone, byPhone));
  if (contact.channel === 'email') {
    if (!contact.email?.trim())
      problems.push({ field: 'contact.email', message: 'help.validation.emailRequired' });
  }
  if (contact.email?.trim() && (contact.email.length > LIMITS.email || !EMAIL.test(contact.email.trim()))) {
    problems.push({ field: 'contact.email', message: 'help.validation.email' });
  }
  if (contact.channel === 'sms' && contact.noSms)
    problems.push({ field: 'contact.noSms', message: 'help.validation.smsConflict' });
  if (contact.codeWord !== undefined)
    problems.push(...textProblems('contact.codeWord', contact.codeWord, LIMITS.codeWord, false));
  problems.push(...windowProblems(contact.windows));
  return problems;
}

/** Every rule a help request must meet beyond its types; an empty list means it may be stored. */
export function helpRequestProblems(input: HelpRequestInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  problems.push(...textProblems('narrative', input.narrative, LIMITS.narrative, true));
  if (input.requestType === 'other') {
    problems.push(...textProblems('otherType', input.otherType ?? '', LIMITS.otherType, true));
  } else if (input.otherType !== undefined) {
    problems.push(...textProblems('otherType', input.otherType, LIMITS.otherType, false));
  }
  if (input.city !== undefined) problems.push(...textProblems('city', input.city, LIMITS.city, false));
  if (input.province !== undefined && !PROVINCE_CODES.includes(input.province))
    problems.push({ field: 'province', message: 'validation.choice' });
  if (new Set(input.forms).size !== input.forms.length)
    problems.push({ field: 'forms', message: 'validation.invalid' });
  problems.push(...contactProblems(input.contact));
  if (!input.consentSensitive)
    problems.push({ field: 'consentSensitive', message: 'help.validation.consent' });
  if (
    input.ageBand !== undefined &&
    input.ageBand !== 'under_14' &&
    input.ageBand !== '14_17' &&
    input.minor === true
  ) {
    problems.push({ field: 'minor', message: 'help.validation.minorAge' });
  }
  if (input.dangerAnswers !== undefined && input.dangerAnswers.length !== DA5_ITEMS) {
    problems.push({ field: 'dangerAnswers', message: 'validation.invalid' });
  }
  return problems;
}

export function callbackProblems(input: CallbackInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  problems.push(...phoneProblems('phone', input.phone, true));
  problems.push(...windowProblems(input.windows, 'windows'));
  if (input.codeWord !== undefined)
    problems.push(...textProblems('codeWord', input.codeWord, LIMITS.codeWord, false));
  if (!input.consentSensitive)
    problems.push({ field: 'consentSensitive', message: 'help.validation.consent' });
  return problems;
}

export const isUnder14 = (input: Pick<HelpRequestInput, 'ageBand'>): boolean => input.ageBand === 'under_14';
export const isMinor = (input: Pick<HelpRequestInput, 'ageBand' | 'minor'>): boolean =>
  input.minor === true || input.ageBand === 'under_14' || input.ageBand === '14_17';

/** Number of items in the DA-5 (see docs/danger-assessment.md). */
export const DA5_ITEMS = 5;
export type DangerLevel = 'variable' | 'increased' | 'high';

/**
 * DA-5 (Messing, Campbell & Snider 2017): five yes/no items; three or more "yes" answers mark high danger.
 * One or two "yes" answers are shown as "increased" danger: our advisory band, not part of the validation.
 */
export function scoreDangerAssessment(answers: readonly boolean[]): { score: number; level: DangerLevel } {
  if (answers.length !== DA5_ITEMS) throw new RangeError(`The DA-5 has ${DA5_ITEMS} items`);
  const score = answers.filter(Boolean).length;
  return { score, level: score >= 3 ? 'high' : score >= 1 ? 'increased' : 'variable' };
}

/** Case codes: 8 characters without look-alikes (no 0/O, 1/I/L), grouped 4-4 so they are easy to write down. */
export const CASE_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const CASE_CODE = /^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/;

/** What she typed, made comparable: upper case, any separator → one dash. */
export function normalizeCaseCode(raw: string): string {
  const cleaned = raw.toUpperCase().replace(/[\s\-–—_.]/g, '');
  return cleaned.length === 8 ? `${cleaned.slice(0, 4)}-${cleaned.slice(4)}` : cleaned;
}

/** Secrets: 12 digits in groups of four; only digits count when she types it back. */
export const normalizeSecret = (raw: string): string => raw.replace(/[\s-]/g, '');
export const SECRET = /^\d{12}$/;

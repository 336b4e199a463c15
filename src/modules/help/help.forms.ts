/**
 * HTML form posts → the same inputs the JSON API takes. A form field of the wrong shape (an array where one
 * value belongs, an unknown choice) becomes a field problem, so the page can show it next to the field.
 */
import type { FieldProblem } from '../../platform/errors.ts';
import {
  AGE_BANDS,
  CONTACT_CHANNELS,
  DA5_ITEMS,
  GENDERS,
  RELATIONSHIPS,
  REQUEST_TYPES,
  VIOLENCE_FORMS,
  callbackProblems,
  helpRequestProblems,
  type CallbackInput,
  type HelpRequestInput,
  type TimeWindow,
} from './help.model.ts';

export type FormBody = Record<string, unknown>;

/** One string value of a form field ('' when absent); arrays or other shapes are a problem. */
function one(body: FormBody, name: string, problems: FieldProblem[]): string {
  const value = body[name];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  problems.push({ field: name, message: 'validation.type' });
  return '';
}

function many(body: FormBody, name: string, problems: FieldProblem[]): string[] {
  const value = body[name];
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  problems.push({ field: name, message: 'validation.type' });
  return [];
}

function choice<T extends string>(
  body: FormBody,
  name: string,
  allowed: readonly T[],
  problems: FieldProblem[],
): T | undefined {
  const value = one(body, name, problems);
  if (value === '') return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push({ field: name, message: 'validation.choice' });
  return undefined;
}

function yesNo(body: FormBody, name: string, problems: FieldProblem[]): boolean | undefined {
  const value = choice(body, name, ['yes', 'no'] as const, problems);
  return value === undefined ? undefined : value === 'yes';
}

const checked = (body: FormBody, name: string): boolean => body[name] === 'on';

function windows(body: FormBody, problems: FieldProblem[]): TimeWindow[] {
  const result: TimeWindow[] = [];
  for (const n of [1, 2]) {
    const from = one(body, `window${n}From`, problems).trim();
    const to = one(body, `window${n}To`, problems).trim();
    if (from === '' && to === '') continue;
    result.push({ from, to });
  }
  return result;
}

export function parseDangerAnswers(raw: string): boolean[] | undefined {
  if (!new RegExp(`^[01]{${DA5_ITEMS}}$`).test(raw)) return undefined;
  return [...raw].map((c) => c === '1');
}

/** Her help-request form → input and every problem with it (shape and rules). */
export function parseHelpRequestForm(body: FormBody): { input: HelpRequestInput; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const requestType = choice(body, 'requestType', REQUEST_TYPES, problems);
  if (requestType === undefined && !problems.some((p) => p.field === 'requestType'))
    problems.push({ field: 'requestType', message: 'validation.required' });
  const forms = many(body, 'forms', problems);
  const unknownForm = forms.find((f) => !(VIOLENCE_FORMS as readonly string[]).includes(f));
  if (unknownForm !== undefined || forms.length > VIOLENCE_FORMS.length)
    problems.push({ field: 'forms', message: 'validation.choice' });
  const dangerRaw = one(body, 'danger', problems);
  const dangerAnswers = dangerRaw === '' ? undefined : parseDangerAnswers(dangerRaw);
  if (dangerRaw !== '' && !dangerAnswers) problems.push({ field: 'danger', message: 'validation.invalid' });
  const province = one(body, 'province', problems);
  const input: HelpRequestInput = {
    requestType: requestType ?? 'domestic_violence',
    otherType: one(body, 'otherType', problems) || undefined,
    narrative: one(body, 'narrative', problems),
    ageBand: choice(body, 'ageBand', AGE_BANDS, problems),
    gender: choice(body, 'gender', GENDERS, problems),
    minor: yesNo(body, 'minor', problems),
    province: province || undefined,
    city: one(body, 'city', problems) || undefined,
    forms: unknownForm === undefined ? (forms as HelpRequestInput['forms']) : [],
    relationship: choice(body, 'relationship', RELATIONSHIPS, problems),
    childrenWitnessed: yesNo(body, 'childrenWitnessed', problems),
    contact: {
      channel: choice(body, 'contactChannel', CONTACT_CHANNELS, problems) ?? 'in_app',
      phone: one(body, 'phone', problems) || undefined,
      email: one(body, 'email', problems) || undefined,
      windows: windows(body, problems),
      codeWord: one(body, 'codeWord', problems) || undefined,
      noVoicemail: checked(body, 'noVoicemail'),
      noSms: checked(body, 'noSms'),
    },
    consentSensitive: checked(body, 'consentSensitive'),
    guardianMayBeAbuser: yesNo(body, 'guardianMayBeAbuser', problems),
    neutralTitles: checked(body, 'neutralTitles') || body.n === '1',
    ...(dangerAnswers ? { dangerAnswers } : {}),
  };
  problems.push(...helpRequestProblems(input));
  return { input, problems };
}

export function parseCallbackForm(body: FormBody): { input: CallbackInput; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const input: CallbackInput = {
    phone: one(body, 'phone', problems),
    windows: windows(body, problems),
    codeWord: one(body, 'codeWord', problems) || undefined,
    noVoicemail: checked(body, 'noVoicemail'),
    noSms: checked(body, 'noSms'),
    consentSensitive: checked(body, 'consentSensitive'),
  };
  problems.push(...callbackProblems(input));
  return { input, problems };
}

/** The form values to show again after a problem (never the secret). */
export function echoValues(body: FormBody): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string' && key !== 'secret' && key !== 'csrf') values[key] = value;
  }
  // An unticked "no voicemail" box is absent from the post: remember that she unticked it.
  if (Object.keys(body).length > 0 && body.noVoicemail !== 'on') values.noVoicemail = 'off';
  return values;
}

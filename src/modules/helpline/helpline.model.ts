/**
 * The desk's vocabulary and its pure rules: how the triage queue is ordered, when a first response is due
 * and breached, whether "now" lies inside one of her safe windows (China time), and how duty shifts become
 * the hours the portal shows. No I/O here, so every rule is unit-tested on its own.
 */
import type { TimeWindow } from '../help/help.model.ts';

export {
  REQUEST_TYPES,
  VIOLENCE_FORMS,
  RELATIONSHIPS,
  AGE_BANDS,
  GENDERS,
  PROVINCES,
  PROVINCE_CODES,
} from '../help/help.model.ts';

export const DANGER_LEVELS = ['high', 'increased', 'variable'] as const;
export type DangerLevel = (typeof DANGER_LEVELS)[number];

export const CASE_SOURCES = ['online', 'callback', 'hotline'] as const;
export type CaseSource = (typeof CASE_SOURCES)[number];

export const CASE_STATUSES = ['new', 'in_progress', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const REFERRAL_KINDS = [
  'police',
  'court',
  'shelter',
  'federation',
  'legal_aid',
  'hospital',
  'counselling',
] as const;
export type ReferralKind = (typeof REFERRAL_KINDS)[number];
export const REFERRAL_STATUSES = ['proposed', 'made', 'accepted', 'declined', 'completed'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export const CLOSING_OUTCOMES = [
  'advice_given',
  'referred',
  'order_applied',
  'resolved',
  'no_contact',
  'withdrawn',
  'other',
] as const;
export type ClosingOutcome = (typeof CLOSING_OUTCOMES)[number];

export const REPORT_CHANNELS = ['phone', 'in_person', 'online', 'written'] as const;
export const CALLBACK_RESULTS = ['reached_confirmed', 'code_word_not_confirmed', 'not_reached'] as const;
export type CallbackResult = (typeof CALLBACK_RESULTS)[number];

/** The first-response deadline when an organisation has not set its own (SAFETY.md: people in danger now). */
export const DEFAULT_FIRST_RESPONSE_MINUTES = 24 * 60;
export const FIRST_RESPONSE_LIMITS = { min: 5, max: 7 * 24 * 60 } as const;

/** China has one time zone and no daylight saving: UTC+8 all year. */
const CHINA_OFFSET_MINUTES = 8 * 60;
const DAY_MS = 24 * 60 * 60_000;

export const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const pad = (n: number): string => String(n).padStart(2, '0');
export const timeOfMinutes = (minutes: number): string =>
  `${pad(Math.floor(minutes / 60) % 24)}:${pad(minutes % 60)}`;

/** Minutes since midnight, China time. */
export function chinaMinutes(at: Date): number {
  const utc = at.getUTCHours() * 60 + at.getUTCMinutes();
  return (utc + CHINA_OFFSET_MINUTES) % (24 * 60);
}

/** The calendar day in China (YYYY-MM-DD) of an instant. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MINUTES * 60_000).toISOString().slice(0, 10);
}

/** The instant a China-time day and time of day denote. */
export function chinaInstant(date: string, time: string): Date {
  return new Date(Date.parse(`${date}T${time}:00+08:00`));
}

/**
 * Whether a call may start now under her safe windows: no windows means any time is safe (she said so);
 * otherwise now must lie inside one (`from` inclusive, `to` exclusive). Also says when the next window opens.
 */
export function safeWindowCheck(
  windows: readonly TimeWindow[],
  now: Date,
): { inside: boolean; nextFrom?: string } {
  if (windows.length === 0) return { inside: true };
  const minute = chinaMinutes(now);
  if (windows.some((w) => minute >= minutesOf(w.from) && minute < minutesOf(w.to))) return { inside: true };
  const starts = windows.map((w) => minutesOf(w.from)).sort((a, b) => a - b);
  const next = starts.find((s) => s > minute) ?? starts[0];
  return next === undefined ? { inside: false } : { inside: false, nextFrom: timeOfMinutes(next) };
}

/** Danger ranks for ordering: an unassessed request is not a safe one, so it ranks with "increased". */
export function dangerRank(level: string | null): number {
  if (level === 'high') return 3;
  if (level === 'variable') return 1;
  return 2;
}

export interface TriageItem {
  dangerLevel: string | null;
  isMinor: boolean | null;
  receivedAt: Date;
}

/** Queue order: danger first, then minors, then who has waited longest. */
export function compareTriage(a: TriageItem, b: TriageItem): number {
  return (
    dangerRank(b.dangerLevel) - dangerRank(a.dangerLevel) ||
    Number(b.isMinor === true) - Number(a.isMinor === true) ||
    a.receivedAt.getTime() - b.receivedAt.getTime()
  );
}

export interface FirstResponseState {
  dueAt: Date;
  /** Minutes left (negative once breached); null when she has been answered. */
  minutesLeft: number | null;
  breached: boolean;
}

/** The first-response clock of one item: due `minutes` after it arrived; breached if unanswered past it or answered late. */
export function firstResponseState(
  receivedAt: Date,
  firstRespondedAt: Date | null,
  minutes: number,
  now: Date,
): FirstResponseState {
  const dueAt = new Date(receivedAt.getTime() + minutes * 60_000);
  if (firstRespondedAt)
    return { dueAt, minutesLeft: null, breached: firstRespondedAt.getTime() > dueAt.getTime() };
  // Whole minutes, towards zero: "1 min left" until the last minute, "overdue by 1 min" a minute after.
  const minutesLeft = Math.trunc((dueAt.getTime() - now.getTime()) / 60_000) || 0;
  return { dueAt, minutesLeft, breached: now.getTime() > dueAt.getTime() };
}

/** ISO week (Monday first) containing a China-time day: its Monday as YYYY-MM-DD. */
export function weekMonday(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  const weekday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - weekday * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export interface Shift {
  startsAt: Date;
  endsAt: Date;
}

export interface DutyDay {
  /** China-time calendar day. */
  date: string;
  /** Covered hours that day (China time), merged across shifts; `to` of `24:00` means until midnight. */
  intervals: { from: string; to: string }[];
}

/**
 * The hotline's hours for `days` days from today (China time), merged from every shift: what the portal
 * shows. Says nothing about who is on duty.
 */
export function dutyDays(shifts: readonly Shift[], now: Date, days: number): DutyDay[] {
  const today = chinaDate(now);
  const result: DutyDay[] = [];
  for (let i = 0; i < days; i++) {
    const date = addDays(today, i);
    const dayStart = chinaInstant(date, '00:00').getTime();
    const dayEnd = dayStart + DAY_MS;
    const pieces = shifts
      .map((s) => [Math.max(s.startsAt.getTime(), dayStart), Math.min(s.endsAt.getTime(), dayEnd)] as const)
      .filter(([from, to]) => to > from)
      .sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const [from, to] of pieces) {
      const last = merged[merged.length - 1];
      if (last && from <= last[1]) last[1] = Math.max(last[1], to);
      else merged.push([from, to]);
    }
    result.push({
      date,
      intervals: merged.map(([from, to]) => ({
        from: timeOfMinutes(Math.round((from - dayStart) / 60_000)),
        to: to === dayEnd ? '24:00' : timeOfMinutes(Math.round((to - dayStart) / 60_000)),
      })),
    });
  }
  return result;
}

/** Whether a call-back may be made on her chosen channel at all. */
export function callChannelAllowed(channel: string): boolean {
  return channel === 'phone';
}

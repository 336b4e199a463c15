/** The desk's pure rules: triage order, the first-response clock, safe windows in China time, duty hours. */
import { describe, expect, it } from 'vitest';
import { installAllModules } from '../../src/modules/index.ts';
import {
  chinaDate,
  chinaInstant,
  chinaMinutes,
  compareTriage,
  dutyDays,
  firstResponseState,
  safeWindowCheck,
  weekMonday,
} from '../../src/modules/helpline/helpline.model.ts';

const at = (iso: string) => new Date(iso);

describe('triage order', () => {
  it('danger first (unassessed ranks with increased), then minors, then longest waiting', () => {
    const items = [
      { id: 'calm-old', dangerLevel: 'variable', isMinor: false, receivedAt: at('2026-01-01T00:00:00Z') },
      { id: 'unassessed', dangerLevel: null, isMinor: null, receivedAt: at('2026-01-01T03:00:00Z') },
      { id: 'minor', dangerLevel: 'increased', isMinor: true, receivedAt: at('2026-01-01T05:00:00Z') },
      { id: 'high-new', dangerLevel: 'high', isMinor: false, receivedAt: at('2026-01-01T06:00:00Z') },
      { id: 'high-old', dangerLevel: 'high', isMinor: false, receivedAt: at('2026-01-01T01:00:00Z') },
      {
        id: 'increased-old',
        dangerLevel: 'increased',
        isMinor: false,
        receivedAt: at('2026-01-01T02:00:00Z'),
      },
    ];
    expect([...items].sort(compareTriage).map((i) => i.id)).toEqual([
      'high-old',
      'high-new',
      'minor',
      'increased-old',
      'unassessed',
      'calm-old',
    ]);
  });
});

describe('first-response clock', () => {
  const received = at('2026-03-01T08:00:00Z');
  it('counts down, then flags the breach', () => {
    expect(firstResponseState(received, null, 60, at('2026-03-01T08:30:00Z'))).toMatchObject({
      minutesLeft: 30,
      breached: false,
    });
    expect(firstResponseState(received, null, 60, at('2026-03-01T09:00:00Z'))).toMatchObject({
      minutesLeft: 0,
      breached: false,
    });
    expect(firstResponseState(received, null, 60, at('2026-03-01T09:01:30Z'))).toMatchObject({
      minutesLeft: -1,
      breached: true,
    });
  });
  it('stops once answered, remembering a late answer', () => {
    expect(
      firstResponseState(received, at('2026-03-01T08:59:00Z'), 60, at('2026-03-02T00:00:00Z')),
    ).toMatchObject({ minutesLeft: null, breached: false });
    expect(
      firstResponseState(received, at('2026-03-01T09:05:00Z'), 60, at('2026-03-02T00:00:00Z')),
    ).toMatchObject({ minutesLeft: null, breached: true });
  });
});

describe('safe windows (China time, UTC+8)', () => {
  const windows = [
    { from: '09:00', to: '11:00' },
    { from: '20:00', to: '21:30' },
  ];
  it('allows only inside a window, from inclusive, to exclusive', () => {
    expect(safeWindowCheck(windows, chinaInstant('2026-03-01', '09:00')).inside).toBe(true);
    expect(safeWindowCheck(windows, chinaInstant('2026-03-01', '10:59')).inside).toBe(true);
    expect(safeWindowCheck(windows, chinaInstant('2026-03-01', '11:00'))).toEqual({
      inside: false,
      nextFrom: '20:00',
    });
    expect(safeWindowCheck(windows, chinaInstant('2026-03-01', '22:00'))).toEqual({
      inside: false,
      nextFrom: '09:00',
    });
    expect(safeWindowCheck([], chinaInstant('2026-03-01', '03:00')).inside).toBe(true);
  });
  it('converts across the UTC date line', () => {
    expect(chinaMinutes(at('2026-03-01T17:30:00Z'))).toBe(90);
    expect(chinaDate(at('2026-03-01T17:30:00Z'))).toBe('2026-03-02');
    expect(chinaInstant('2026-03-02', '01:30').toISOString()).toBe('2026-03-01T17:30:00.000Z');
  });
});

describe('duty hours', () => {
  it('merges overlapping shifts per China-time day and splits a shift over midnight', () => {
    const shifts = [
      { startsAt: chinaInstant('2026-03-02', '09:00'), endsAt: chinaInstant('2026-03-02', '12:00') },
      { startsAt: chinaInstant('2026-03-02', '11:00'), endsAt: chinaInstant('2026-03-02', '15:00') },
      { startsAt: chinaInstant('2026-03-02', '22:00'), endsAt: chinaInstant('2026-03-03', '02:00') },
    ];
    const days = dutyDays(shifts, chinaInstant('2026-03-02', '08:00'), 3);
    expect(days).toEqual([
      {
        date: '2026-03-02',
        intervals: [
          { from: '09:00', to: '15:00' },
          { from: '22:00', to: '24:00' },
        ],
      },
      { date: '2026-03-03', intervals: [{ from: '00:00', to: '02:00' }] },
      { date: '2026-03-04', intervals: [] },
    ]);
  });
  it('weeks start on Monday', () => {
    expect(weekMonday('2026-03-04')).toBe('2026-03-02');
    expect(weekMonday('2026-03-08')).toBe('2026-03-02');
    expect(weekMonday('2026-03-02')).toBe('2026-03-02');
  });
});

describe('hotline hours for the portal', () => {
  // The words come from the help module's catalog, installed at start as the app does.
  installAllModules();

  it('renders the merged hours by weekday, and whether someone is on duty, without names', async () => {
    const { renderToString } = await import('preact-render-to-string');
    const { h } = await import('preact');
    const { HotlineHours } = await import('../../src/modules/help/help.hours.tsx');
    const { translate } = await import('../../src/platform/i18n/catalog.ts');
    const html = renderToString(
      h(HotlineHours, {
        hours: {
          onDutyNow: false,
          today: '2026-03-02',
          days: [
            { date: '2026-03-02', intervals: [{ from: '09:00', to: '15:00' }] },
            { date: '2026-03-03', intervals: [] },
          ],
        },
        t: (key, params) => translate('en', key, params),
      }),
    );
    expect(html).toContain('Monday 03-02');
    expect(html).toContain('09:00–15:00');
    expect(html).toContain('Tuesday 03-03');
    expect(html).toContain('No hours this day');
    expect(html).toContain('No lawyer is on duty now');
  });
});

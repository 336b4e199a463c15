/** The protection-order rules as pure functions: validation, routing, clock, validity, enforcement limits, case numbers, integrity. */
import { describe, expect, it } from 'vitest';
import { entryHash, GENESIS_HASH, type CustodyEntry } from '../../src/modules/evidence/custody.ts';
import { isRegionCode } from '../../src/modules/identity/regions.ts';
import {
  addMonths,
  applicationProblems,
  caseNumber,
  chineseDate,
  clockState,
  decisionProblems,
  extensionStart,
  isIdNumber,
  orderValidUntil,
  periodEnd,
  reconsiderationClosesAt,
  rulingDeadline,
  servingOrganisation,
  timeLeft,
  violationDecisionProblems,
  type ApplicationInput,
} from '../../src/modules/orders/orders.model.ts';
import { showsApplicantAddress } from '../../src/modules/orders/orders.pdf.ts';
import { evidenceIntegrity, type OrdersEvidenceSource } from '../../src/modules/orders/orders.seams.ts';
import { completeApplication } from '../support/orders.ts';

const problems = (input: ApplicationInput) =>
  applicationProblems(input, isRegionCode, '2026-11-21').map((p) => p.field);

describe('application validation', () => {
  it('accepts a complete application', () => {
    expect(problems(completeApplication())).toEqual([]);
  });

  it('names every missing item of an empty application', () => {
    expect(problems({})).toEqual([
      'applicant.name',
      'applicant.regionCode',
      'respondent.name',
      'respondent.idNumber',
      'relationship',
      'incidents',
      'measures',
      'consentOnline',
    ]);
  });

  it('requires the respondent to be identifiable by ID, birth year or a description (ADVL 27)', () => {
    const base = completeApplication();
    expect(problems({ ...base, respondent: { name: '王强' } })).toEqual(['respondent.idNumber']);
    expect(problems({ ...base, respondent: { name: '王强', birthYear: 1988 } })).toEqual([]);
    expect(
      problems({ ...base, respondent: { name: '王强', description: '左臂有龙形纹身，开白色出租车' } }),
    ).toEqual([]);
    expect(problems({ ...base, respondent: { name: '王强', idNumber: '12345' } })).toEqual([
      'respondent.idNumber',
    ]);
  });

  it('checks incidents are dated, not in the future, and described', () => {
    const base = completeApplication();
    expect(problems({ ...base, incidents: [{ date: '2026-13-01', description: 'x' }] })).toEqual([
      'incidents.0.date',
    ]);
    expect(problems({ ...base, incidents: [{ date: '2026-11-22', description: 'x' }] })).toEqual([
      'incidents.0.date',
    ]);
    expect(problems({ ...base, incidents: [{ date: '2026-11-21' }] })).toEqual(['incidents.0.description']);
  });

  it('needs details for “other”, keep-away and urgency', () => {
    const base = completeApplication();
    expect(problems({ ...base, measures: ['other'] })).toEqual(['otherMeasure']);
    expect(problems({ ...base, keepAwayMetres: 10 })).toEqual(['keepAwayMetres']);
    expect(problems({ ...base, keepAwayPlaces: '' })).toEqual(['keepAwayPlaces']);
    expect(problems({ ...base, urgent: true })).toEqual(['urgentReason']);
  });

  it('needs the place for the chosen venue (ADVL 25) and real GB/T 2260 codes', () => {
    const base = completeApplication();
    expect(problems({ ...base, venueBasis: 'violence' })).toEqual(['violenceRegionCode']);
    expect(
      problems({
        ...base,
        venueBasis: 'respondent',
        respondent: { ...base.respondent, regionCode: undefined },
      }),
    ).toEqual(['respondent.regionCode']);
    expect(problems({ ...base, applicant: { ...base.applicant, regionCode: '999999' } })).toEqual([
      'applicant.regionCode',
    ]);
  });

  it('a proxy names kind, name, reason and the victim’s wishes (ADVL 23)', () => {
    expect(problems({ ...completeApplication(), proxy: {} })).toEqual([
      'proxy.kind',
      'proxy.name',
      'proxy.reason',
      'proxy.victimWishes',
    ]);
    expect(
      problems({
        ...completeApplication(),
        proxy: { kind: 'close_relative', name: '李母', reason: 'minor', victimWishes: '她想让爸爸不再打她' },
      }),
    ).toEqual([]);
  });
});

describe('court routing', () => {
  const courts = [
    { id: 'b', name: '鼓楼', regionCode: '320106' },
    { id: 'a', name: '玄武', regionCode: '320102' },
    { id: 'c', name: '南京中院', regionCode: '3201' },
  ];
  it('picks the most specific court serving the place', () => {
    expect(servingOrganisation(courts, '320102')?.id).toBe('a');
    expect(servingOrganisation(courts, '320111')?.id).toBe('c');
    expect(servingOrganisation(courts, '440106')).toBeUndefined();
  });
});

describe('clock and validity', () => {
  const accepted = new Date('2026-11-21T00:00:00Z');
  it('rules within 72 hours, 24 when urgent (ADVL 28)', () => {
    expect(rulingDeadline(accepted, false).toISOString()).toBe('2026-11-24T00:00:00.000Z');
    expect(rulingDeadline(accepted, true).toISOString()).toBe('2026-11-22T00:00:00.000Z');
  });
  it('warns in the last quarter and flags breaches', () => {
    const due = rulingDeadline(accepted, true);
    expect(clockState(due, accepted, true, new Date('2026-11-21T17:59:59Z'))).toBe('ok');
    expect(clockState(due, accepted, true, new Date('2026-11-21T18:00:00Z'))).toBe('warning');
    expect(clockState(due, accepted, true, due)).toBe('breached');
    expect(timeLeft(due, new Date('2026-11-21T20:30:00Z'))).toEqual({
      overdue: false,
      hours: 3,
      minutes: 30,
    });
    expect(timeLeft(due, new Date('2026-11-22T01:15:00Z'))).toEqual({ overdue: true, hours: 1, minutes: 15 });
  });
  it('keeps validity within 6 months (ADVL 30), clamping month ends', () => {
    expect(addMonths(new Date('2026-08-31T10:00:00Z'), 6).toISOString()).toBe('2027-02-28T10:00:00.000Z');
    const from = new Date('2026-11-21T02:00:00Z');
    // Six months from 21 November (Beijing) ends at the end of 20 May, as the courts count.
    expect(orderValidUntil({ validMonths: 6 }, from)?.toISOString()).toBe('2027-05-20T15:59:59.999Z');
    expect(orderValidUntil({ validMonths: 7 }, from)).toBeUndefined();
    expect(orderValidUntil({ validUntil: '2027-05-20' }, from)?.toISOString()).toBe(
      '2027-05-20T15:59:59.999Z',
    );
    expect(orderValidUntil({ validUntil: '2027-05-21' }, from)).toBeUndefined();
    expect(orderValidUntil({ validUntil: '2027-06-30' }, from)).toBeUndefined();
    expect(orderValidUntil({ validUntil: '2026-11-20' }, from)).toBeUndefined();
    expect(
      decisionProblems({ outcome: 'grant', measures: ['no_violence'], validMonths: 0 }, from).map(
        (p) => p.field,
      ),
    ).toEqual(['validUntil']);
    expect(decisionProblems({ outcome: 'reject' }, from).map((p) => p.field)).toEqual(['reasons']);
  });
  it('counts validity as the courts do: the day before the same date, or the month end when there is none', () => {
    expect(periodEnd(new Date('2026-03-15T02:00:00Z'), 6).toISOString()).toBe('2026-09-14T15:59:59.999Z');
    expect(periodEnd(new Date('2026-08-31T02:00:00Z'), 6).toISOString()).toBe('2027-02-28T15:59:59.999Z');
    expect(periodEnd(new Date('2026-08-28T02:00:00Z'), 6).toISOString()).toBe('2027-02-27T15:59:59.999Z');
    // 23:30 UTC on 14 March is already 15 March in Beijing.
    expect(periodEnd(new Date('2026-03-14T23:30:00Z'), 1).toISOString()).toBe('2026-04-14T15:59:59.999Z');
    expect(extensionStart(new Date('2026-09-14T15:59:59.999Z')).toISOString()).toBe(
      '2026-09-14T16:00:00.000Z',
    );
  });
  it('checks an ID number by its date of birth and GB 11643 check character', () => {
    expect(isIdNumber('110105199003078115')).toBe(true);
    expect(isIdNumber('320102198801011236')).toBe(true);
    expect(isIdNumber('11010519900307811x')).toBe(false);
    expect(isIdNumber('320102198801011234')).toBe(false); // one digit wrong: the check character no longer matches
    expect(isIdNumber('110105199013078115')).toBe(false); // month 13
    expect(isIdNumber('11010519900307811')).toBe(false);
    expect(
      problems({ ...completeApplication(), respondent: { name: '王强', idNumber: '320102198801011234' } }),
    ).toEqual(['respondent.idNumber']);
  });
  it('closes reconsideration 5 days after the ruling (ADVL 31)', () => {
    expect(reconsiderationClosesAt(accepted).toISOString()).toBe('2026-11-26T00:00:00.000Z');
  });
});

describe('enforcement (ADVL 34)', () => {
  it('limits fines to 1,000 yuan and detention to 15 days', () => {
    const f = (input: Parameters<typeof violationDecisionProblems>[0]) =>
      violationDecisionProblems(input).map((p) => p.field);
    expect(f({ outcome: 'fine', fineYuan: 1000, reasons: 'r' })).toEqual([]);
    expect(f({ outcome: 'fine', fineYuan: 1001, reasons: 'r' })).toEqual(['fineYuan']);
    expect(f({ outcome: 'detention', detentionDays: 15, reasons: 'r' })).toEqual([]);
    expect(f({ outcome: 'detention', detentionDays: 16, reasons: 'r' })).toEqual(['detentionDays']);
    expect(f({ outcome: 'admonition', fineYuan: 10, reasons: 'r' })).toEqual(['fineYuan']);
    expect(f({ outcome: 'referral' })).toEqual(['reasons']);
  });
});

describe('documents', () => {
  it('numbers cases like the courts: year, province, court code, 民保令, sequence', () => {
    expect(caseNumber(2026, '320102', 12)).toBe('（2026）苏0102民保令12号');
    expect(caseNumber(2027, '1101', 3)).toBe('（2027）京0100民保令3号');
    expect(chineseDate(new Date('2026-11-21T17:00:00Z'))).toBe('2026年11月22日');
  });
  it('shows her address only on the court’s and her own copy', () => {
    expect(showsApplicantAddress('respondent')).toBe(false);
    expect(showsApplicantAddress('police')).toBe(false);
    expect(showsApplicantAddress('committee')).toBe(false);
    expect(showsApplicantAddress('applicant')).toBe(true);
  });
});

describe('evidence integrity for the judge', () => {
  const chain = (id: string): CustodyEntry[] => {
    const first = {
      evidenceId: id,
      seq: 1,
      action: 'upload' as const,
      actor: 'survivor',
      at: '2026-11-01T00:00:00.000Z',
      details: {},
      prevHash: GENESIS_HASH,
    };
    const e1 = { ...first, hash: entryHash(first) };
    const second = {
      evidenceId: id,
      seq: 2,
      action: 'share' as const,
      actor: 'staff:x',
      at: '2026-11-02T00:00:00.000Z',
      details: { agency: 'court' },
      prevHash: e1.hash,
    };
    return [e1, { ...second, hash: entryHash(second) }];
  };
  const source = (entries: CustodyEntry[]): OrdersEvidenceSource => ({
    getItem: async (id) => ({
      id,
      ownerRef: 'o',
      uploadedBy: 'survivor',
      journalEntryId: null,
      evidenceType: 'medical',
      incidentDate: null,
      filename: 'f.pdf',
      description: '',
      size: 1,
      sha256: 'a'.repeat(64),
      mediaType: 'application/pdf',
      extension: 'pdf',
      hasPreview: false,
      uploadedAt: '2026-11-01T00:00:00.000Z',
      scanState: 'clean',
    }),
    listForOwner: async () => [],
    custodyOf: async () => entries,
    recordShare: async () => entries[0]!,
  });
  it('is intact when the custody chain verifies, broken when an entry was changed, missing when the item is gone', async () => {
    const good = chain('e1');
    expect((await evidenceIntegrity(source(good), 'e1')).integrity).toBe('intact');
    const tampered = [good[0]!, { ...good[1]!, actor: 'staff:someone-else' }];
    expect((await evidenceIntegrity(source(tampered), 'e1')).integrity).toBe('broken');
    expect((await evidenceIntegrity(undefined, 'e1')).integrity).toBe('missing');
  });
});

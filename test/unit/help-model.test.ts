import { describe, expect, it } from 'vitest';
import {
  CASE_CODE,
  callbackProblems,
  contactProblems,
  helpRequestProblems,
  normalizeCaseCode,
  scoreDangerAssessment,
  textProblems,
  type HelpRequestInput,
} from '../../src/modules/help/help.model.ts';
import {
  parseCallbackForm,
  parseDangerAnswers,
  parseHelpRequestForm,
} from '../../src/modules/help/help.forms.ts';
import { formatSecret } from '../../src/modules/help/help.service.ts';
import { chinaDay } from '../../src/modules/help/help.usage.ts';
import { helpEn, helpZh } from '../../src/modules/help/help.messages.ts';

const valid: HelpRequestInput = {
  requestType: 'domestic_violence',
  narrative: '他打我',
  forms: ['physical'],
  contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
  consentSensitive: true,
};
const fields = (problems: { field: string }[]) => problems.map((p) => p.field).sort();

describe('help request rules', () => {
  it('accepts a minimal request', () => {
    expect(helpRequestProblems(valid)).toEqual([]);
  });

  it('requires what happened and the separate consent', () => {
    expect(fields(helpRequestProblems({ ...valid, narrative: '   ', consentSensitive: false }))).toEqual([
      'consentSensitive',
      'narrative',
    ]);
  });

  it('refuses text that is too long, web code and control characters', () => {
    expect(textProblems('narrative', 'x'.repeat(5001), 5000, true)[0]?.message).toBe('validation.tooLong');
    expect(textProblems('narrative', '字'.repeat(5000), 5000, true)).toEqual([]);
    expect(textProblems('narrative', 'hi <script>alert(1)</script>', 5000, true)[0]?.message).toBe(
      'help.validation.markup',
    );
    expect(textProblems('narrative', '<img src=x onerror=alert(1)>', 5000, true)[0]?.message).toBe(
      'help.validation.markup',
    );
    expect(textProblems('narrative', 'a\u0000b', 5000, true)[0]?.message).toBe('validation.invalid');
    // A "less than" sign in ordinary writing is fine.
    expect(textProblems('narrative', '他说 3 < 5，然后打我', 5000, true)).toEqual([]);
  });

  it('needs a phone number for calls and texts, and an e-mail address for e-mail', () => {
    expect(
      fields(contactProblems({ channel: 'phone', windows: [], noVoicemail: true, noSms: false })),
    ).toEqual(['contact.phone']);
    expect(
      fields(contactProblems({ channel: 'email', windows: [], noVoicemail: true, noSms: true })),
    ).toEqual(['contact.email']);
    expect(
      contactProblems({
        channel: 'phone',
        phone: '13800138000',
        windows: [],
        noVoicemail: true,
        noSms: false,
      }),
    ).toEqual([]);
    expect(
      fields(
        contactProblems({ channel: 'phone', phone: 'call me', windows: [], noVoicemail: true, noSms: false }),
      ),
    ).toEqual(['contact.phone']);
    expect(
      fields(
        contactProblems({
          channel: 'email',
          email: 'not-an-address',
          windows: [],
          noVoicemail: true,
          noSms: true,
        }),
      ),
    ).toEqual(['contact.email']);
  });

  it('refuses texts when she also said "no texts"', () => {
    expect(
      fields(
        contactProblems({
          channel: 'sms',
          phone: '13800138000',
          windows: [],
          noVoicemail: true,
          noSms: true,
        }),
      ),
    ).toEqual(['contact.noSms']);
  });

  it('refuses malformed and backwards time windows', () => {
    const at = (from: string, to: string) =>
      contactProblems({ channel: 'in_app', windows: [{ from, to }], noVoicemail: true, noSms: true });
    expect(at('09:00', '11:30')).toEqual([]);
    expect(at('25:00', '11:00')[0]).toMatchObject({
      field: 'contact.windows.0.from',
      message: 'help.validation.time',
    });
    expect(at('9am', '11:00')[0]?.message).toBe('help.validation.time');
    expect(at('11:00', '09:00')[0]).toMatchObject({
      field: 'contact.windows.0.to',
      message: 'help.validation.windowOrder',
    });
    expect(at('11:00', '11:00')[0]?.message).toBe('help.validation.windowOrder');
    const four = Array.from({ length: 4 }, () => ({ from: '09:00', to: '10:00' }));
    expect(
      contactProblems({ channel: 'in_app', windows: four, noVoicemail: true, noSms: true })[0]?.message,
    ).toBe('validation.tooMany');
  });

  it('needs a description when the type is "other", and a known province', () => {
    expect(fields(helpRequestProblems({ ...valid, requestType: 'other' }))).toEqual(['otherType']);
    expect(fields(helpRequestProblems({ ...valid, province: '99' }))).toEqual(['province']);
  });

  it('a call-back needs a phone number and consent', () => {
    expect(
      fields(
        callbackProblems({ phone: '', windows: [], noVoicemail: true, noSms: true, consentSensitive: false }),
      ),
    ).toEqual(['consentSensitive', 'phone']);
  });
});

describe('HTML form parsing', () => {
  it('turns a form post into the same input the API takes', () => {
    const { input, problems } = parseHelpRequestForm({
      requestType: 'sexual_harassment',
      narrative: '同事骚扰我',
      forms: ['stalking', 'threats'],
      contactChannel: 'phone',
      phone: '13800138000',
      window1From: '09:00',
      window1To: '10:00',
      codeWord: '买菜',
      noVoicemail: 'on',
      consentSensitive: 'on',
      ageBand: '18_29',
      minor: 'no',
    });
    expect(problems).toEqual([]);
    expect(input).toMatchObject({
      requestType: 'sexual_harassment',
      forms: ['stalking', 'threats'],
      minor: false,
      contact: {
        channel: 'phone',
        windows: [{ from: '09:00', to: '10:00' }],
        codeWord: '买菜',
        noVoicemail: true,
        noSms: false,
      },
    });
  });

  it('reports wrong shapes and unknown choices as field problems', () => {
    const { problems } = parseHelpRequestForm({
      requestType: 'war',
      narrative: ['a', 'b'],
      forms: ['flying'],
      ageBand: '200',
      consentSensitive: 'on',
    });
    expect(fields(problems)).toEqual(
      expect.arrayContaining(['ageBand', 'forms', 'narrative', 'requestType']),
    );
  });

  it('parses a call-back form with a backwards window', () => {
    const { problems } = parseCallbackForm({
      phone: '13800138000',
      window1From: '18:00',
      window1To: '08:00',
      consentSensitive: 'on',
    });
    expect(problems).toEqual([{ field: 'windows.0.to', message: 'help.validation.windowOrder' }]);
  });
});

describe('danger self-assessment (DA-5)', () => {
  it('scores yes answers into three levels, three or more being high', () => {
    expect(scoreDangerAssessment([false, false, false, false, false])).toEqual({
      score: 0,
      level: 'variable',
    });
    expect(scoreDangerAssessment([true, false, true, false, false])).toEqual({
      score: 2,
      level: 'increased',
    });
    expect(scoreDangerAssessment([true, true, true, false, false])).toEqual({ score: 3, level: 'high' });
    expect(() => scoreDangerAssessment([true])).toThrow(RangeError);
  });

  it('reads answers back only in their exact form', () => {
    expect(parseDangerAnswers('10100')).toEqual([true, false, true, false, false]);
    expect(parseDangerAnswers('1010')).toBeUndefined();
    expect(parseDangerAnswers('1010x')).toBeUndefined();
  });
});

describe('case codes, secrets and days', () => {
  it('normalises what she types back', () => {
    expect(normalizeCaseCode(' k7qm 4tzp ')).toBe('K7QM-4TZP');
    expect(normalizeCaseCode('k7qm—4tzp')).toBe('K7QM-4TZP');
    expect(CASE_CODE.test('K7QM-4TZP')).toBe(true);
    expect(CASE_CODE.test('K7QM-4TZ0')).toBe(false);
    expect(formatSecret('123456789012')).toBe('1234 5678 9012');
  });

  it('counts days in China time', () => {
    expect(chinaDay(new Date('2026-01-01T15:59:00Z'))).toBe('2026-01-01');
    expect(chinaDay(new Date('2026-01-01T16:00:00Z'))).toBe('2026-01-02');
  });

  it('has the same message keys in both languages', () => {
    expect(Object.keys(helpEn).sort()).toEqual(Object.keys(helpZh).sort());
  });
});

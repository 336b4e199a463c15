/**
 * Demo data for the survivor portal (fresh non-production databases only, see src/db/demo.ts): two help
 * requests a newcomer can open at /help/thread with the printed case code and secret, and see on the desk.
 */
import type { DemoSeed } from '../../db/demo.ts';
import { RateLimiter } from '../../platform/rate-limit.ts';
import { HelpService, formatSecret } from './help.service.ts';

export const helpDemoSeed: DemoSeed = async ({ trx, keyring, print }) => {
  const service = new HelpService(trx, keyring, new RateLimiter(trx, keyring.deriveKey('rate-limit')));
  const adult = await service.createHelpRequestIn(
    trx,
    {
      requestType: 'domestic_violence',
      narrative: '（演示）丈夫喝酒后经常打我，上周掐了我的脖子。我想知道怎么申请保护令。',
      ageBand: '30_39',
      gender: 'female',
      province: '50',
      city: '渝中区',
      forms: ['physical', 'verbal_abuse', 'death_threats'],
      relationship: 'spouse',
      childrenWitnessed: true,
      contact: {
        channel: 'phone',
        phone: '13800138000',
        windows: [{ from: '10:00', to: '11:30' }],
        codeWord: '买菜',
        noVoicemail: true,
        noSms: true,
      },
      consentSensitive: true,
      dangerAnswers: [true, false, true, true, true],
    },
    'zh-CN',
  );
  const minor = await service.createHelpRequestIn(
    trx,
    {
      requestType: 'domestic_violence',
      narrative: '（演示）爸爸喝醉了就打我和妈妈。',
      ageBand: 'under_14',
      forms: ['physical'],
      relationship: 'parent_to_child',
      contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
      consentSensitive: true,
      guardianMayBeAbuser: true,
    },
    'zh-CN',
  );
  print(
    `Demo help request (adult, high danger): case code ${adult.caseCode}, secret ${formatSecret(adult.secret)} — open at /help/thread`,
  );
  print(
    `Demo help request (child under 14): case code ${minor.caseCode}, secret ${formatSecret(minor.secret)}`,
  );
};

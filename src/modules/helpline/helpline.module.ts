/** The helpline desk's descriptor (src/platform/module.ts). */
import type { ModuleDescriptor } from '../../platform/module.ts';
import { helplineDemoSeed } from './helpline.demo.ts';
import { helplineEn, helplineZh } from './helpline.messages.ts';
import { escalationEn, escalationZh } from './helpline.escalation.messages.ts';
import { HELPLINE_POLICY } from './helpline.policy.ts';
import { helplineModule } from './index.ts';

export const helplineDescriptor: ModuleDescriptor = {
  name: 'helpline',
  register: helplineModule,
  messages: [
    { zh: helplineZh, en: helplineEn },
    { zh: escalationZh, en: escalationEn },
  ],
  policy: HELPLINE_POLICY,
  demo: helplineDemoSeed,
};

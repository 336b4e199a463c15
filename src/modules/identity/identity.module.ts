/** The identity module's descriptor (src/platform/module.ts). */
import type { ModuleDescriptor } from '../../platform/module.ts';
import { identityDemoSeed } from './identity.demo.ts';
import { identityEn, identityZh } from './identity.messages.ts';
import { auditSentencesEn, auditSentencesZh } from './audit-sentences.messages.ts';
import { IDENTITY_POLICY } from './identity.policy.ts';
import { identityModule } from './index.ts';

export const identityDescriptor: ModuleDescriptor = {
  name: 'identity',
  register: identityModule,
  messages: [
    { zh: identityZh, en: identityEn },
    { zh: auditSentencesZh, en: auditSentencesEn },
  ],
  policy: IDENTITY_POLICY,
  demo: identityDemoSeed,
};

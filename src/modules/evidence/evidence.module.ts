/** The evidence module's descriptor (src/platform/module.ts). */
import type { ModuleDescriptor } from '../../platform/module.ts';
import { EVIDENCE_POLICY } from './evidence.access.ts';
import { evidenceEn, evidenceZh } from './evidence.messages.ts';
import { evidenceModule } from './evidence.routes.ts';

export const evidenceDescriptor: ModuleDescriptor = {
  name: 'evidence',
  register: evidenceModule,
  messages: [{ zh: evidenceZh, en: evidenceEn }],
  policy: EVIDENCE_POLICY,
};

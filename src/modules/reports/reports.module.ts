/** The reports module's descriptor (src/platform/module.ts). */
import type { ModuleDescriptor } from '../../platform/module.ts';
import { reportsModule } from './index.ts';
import { reportsEn, reportsZh } from './reports.messages.ts';
import { REPORTS_POLICY } from './reports.policy.ts';

export const reportsDescriptor: ModuleDescriptor = {
  name: 'reports',
  register: reportsModule,
  messages: [{ zh: reportsZh, en: reportsEn }],
  policy: REPORTS_POLICY,
};

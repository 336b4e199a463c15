/** The webhooks module's descriptor (src/platform/module.ts). */
import type { ModuleDescriptor } from '../../platform/module.ts';
import { webhooksModule } from './index.ts';
import { webhooksEn, webhooksZh } from './webhooks.messages.ts';

export const webhooksDescriptor: ModuleDescriptor = {
  name: 'webhooks',
  register: webhooksModule,
  messages: [{ zh: webhooksZh, en: webhooksEn }],
};

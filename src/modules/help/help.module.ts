/** The help module's descriptor (src/platform/module.ts): her requests, thread, directory, self-check. */
import type { ModuleDescriptor } from '../../platform/module.ts';
import { helpDemoSeed } from './help.demo.ts';
import { hoursEn, hoursZh } from './help.hours.messages.ts';
import { directoryAdminEn, directoryAdminZh } from './help.directory-admin.messages.ts';
import { helpEn, helpZh } from './help.messages.ts';
import { promisesEn, promisesZh } from './help.promises.messages.ts';
import { deletionEn, deletionZh } from './help.deletion.messages.ts';
import { registerHelp } from './help.routes.ts';
import { throttleAdminEn, throttleAdminZh } from './help.throttle-admin.messages.ts';

export const helpDescriptor: ModuleDescriptor = {
  name: 'help',
  register: registerHelp,
  messages: [
    { zh: helpZh, en: helpEn },
    { zh: directoryAdminZh, en: directoryAdminEn },
    { zh: throttleAdminZh, en: throttleAdminEn },
    { zh: promisesZh, en: promisesEn },
    { zh: hoursZh, en: hoursEn },
    { zh: deletionZh, en: deletionEn },
  ],
  demo: helpDemoSeed,
};

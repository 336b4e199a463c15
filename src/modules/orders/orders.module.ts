/** The protection-orders module's descriptor (src/platform/module.ts). */
import type { ModuleDescriptor } from '../../platform/module.ts';
import { ordersModule } from './index.ts';
import { ordersDemoSeed } from './orders.demo.ts';
import { ordersEn, ordersZh } from './orders.messages.ts';
import { ORDERS_POLICY } from './orders.policy.ts';

export const ordersDescriptor: ModuleDescriptor = {
  name: 'orders',
  register: ordersModule,
  messages: [{ zh: ordersZh, en: ordersEn }],
  policy: ORDERS_POLICY,
  demo: ordersDemoSeed,
};

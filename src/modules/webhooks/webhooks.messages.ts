/** Messages of the webhooks module (subscriptions of system clients). */
export const webhooksZh = {
  'webhooks.problem.url': '接收地址必须以下列之一开头：{prefixes}',
  'webhooks.problem.event': '请选择要订阅的事件：{events}',
  'webhooks.problem.client': '请指明订阅属于本机构的哪个系统客户端。',
} as const;

export type WebhooksMessageKey = keyof typeof webhooksZh;

export const webhooksEn: Record<WebhooksMessageKey, string> = {
  'webhooks.problem.url': 'The receiving URL must start with one of: {prefixes}',
  'webhooks.problem.event': 'Choose the events to subscribe to: {events}',
  'webhooks.problem.client': 'Name the system client of your organisation this subscription belongs to.',
};

declare module '../../platform/i18n/catalog.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's keys to MessageKey
  interface MessageCatalog extends Record<keyof typeof webhooksZh, string> {}
}

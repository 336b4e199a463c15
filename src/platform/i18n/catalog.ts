/**
 * The message catalogs: Chinese (zh-CN) first, English second. Every visible string comes from here.
 * Each module keeps its messages in `<module>.messages.ts` and adds them to both catalogs below; the
 * English catalog is typed against the Chinese one, and a unit test fails on any missing or empty key.
 */
import { platformEn, platformZh } from './platform.messages.ts';
import { evidenceEn, evidenceZh } from '../../modules/evidence/evidence.messages.ts';
import { identityEn, identityZh } from '../../modules/identity/identity.messages.ts';
import { auditSentencesEn, auditSentencesZh } from '../../modules/identity/audit-sentences.messages.ts';
import { helpEn, helpZh } from '../../modules/help/help.messages.ts';
import { directoryAdminEn, directoryAdminZh } from '../../modules/help/help.directory-admin.messages.ts';
import { throttleAdminEn, throttleAdminZh } from '../../modules/help/help.throttle-admin.messages.ts';
import { helplineEn, helplineZh } from '../../modules/helpline/helpline.messages.ts';
import { escalationEn, escalationZh } from '../../modules/helpline/helpline.escalation.messages.ts';
import { reportsEn, reportsZh } from '../../modules/reports/reports.messages.ts';
import { ordersEn, ordersZh } from '../../modules/orders/orders.messages.ts';
import { promisesEn, promisesZh } from '../../modules/help/help.promises.messages.ts';
import { deletionEn, deletionZh } from '../../modules/help/help.deletion.messages.ts';
import { webhooksEn, webhooksZh } from '../../modules/webhooks/webhooks.messages.ts';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

const zhCN = {
  ...platformZh,
  ...identityZh,
  ...auditSentencesZh,
  ...helpZh,
  ...helplineZh,
  ...escalationZh,
  ...evidenceZh,
  ...reportsZh,
  ...ordersZh,
  ...directoryAdminZh,
  ...throttleAdminZh,
  ...promisesZh,
  ...deletionZh,
  ...webhooksZh,
} as const;
export type MessageKey = keyof typeof zhCN;

export const catalogs: Record<Locale, Record<MessageKey, string>> = {
  'zh-CN': zhCN,
  en: {
    ...platformEn,
    ...identityEn,
    ...auditSentencesEn,
    ...helpEn,
    ...helplineEn,
    ...escalationEn,
    ...evidenceEn,
    ...reportsEn,
    ...ordersEn,
    ...directoryAdminEn,
    ...throttleAdminEn,
    ...promisesEn,
    ...deletionEn,
    ...webhooksEn,
  },
};

export type MessageParams = Record<string, string | number>;

/** The message for a key in a locale, with `{name}` placeholders filled in. */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const template = catalogs[locale][key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Best locale for an Accept-Language header; Chinese unless English is preferred. */
export function localeFromAcceptLanguage(header: string | undefined): Locale {
  if (!header) return DEFAULT_LOCALE;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = rest.find((p) => p.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return DEFAULT_LOCALE;
}

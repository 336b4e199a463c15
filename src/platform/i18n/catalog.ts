/**
 * The message catalogs: Chinese (zh-CN) first, English second. Every visible string comes from here.
 * The platform's messages are built in; each module keeps its messages in `<module>.messages.ts`, adds its
 * keys to `MessageCatalog` (interface merging: `declare module '…/platform/i18n/catalog.ts'`), so `t()` keys
 * stay typed, and contributes the texts through its descriptor (`messages`, installed at start by
 * `installModules`). The English catalog is typed against the Chinese one, and a unit test fails on any
 * missing or empty key.
 */
import { platformEn, platformZh } from './platform.messages.ts';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** Every message key: the platform's here, each module's added by augmentation in its messages file. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- modules merge their keys in
export interface MessageCatalog extends Record<keyof typeof platformZh, string> {}
export type MessageKey = keyof MessageCatalog;

/** A module's messages: the Chinese catalog and the English one with the same keys. */
export interface MessageSet {
  zh: Readonly<Record<string, string>>;
  en: Readonly<Record<string, string>>;
}

/** Filled at start: the platform's messages, then each module's (`registerMessages`). */
export const catalogs: Record<Locale, Record<MessageKey, string>> = {
  'zh-CN': { ...platformZh } as Record<MessageKey, string>,
  en: { ...platformEn } as Record<MessageKey, string>,
};

/** Add a module's messages; a key already holding a different text is an error (two modules, one key). */
export function registerMessages(set: MessageSet, from: string): void {
  for (const [locale, messages] of [
    ['zh-CN', set.zh],
    ['en', set.en],
  ] as const) {
    const catalog = catalogs[locale] as Record<string, string>;
    for (const [key, text] of Object.entries(messages)) {
      const existing = catalog[key];
      if (existing !== undefined && existing !== text)
        throw new Error(`Message ${key} (${from}, ${locale}) is already defined with another text`);
      catalog[key] = text;
    }
  }
}

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

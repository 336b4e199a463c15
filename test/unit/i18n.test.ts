import { describe, expect, it } from 'vitest';
import { catalogs, LOCALES, localeFromAcceptLanguage, translate } from '../../src/platform/i18n/catalog.ts';
import { ERROR_CODES } from '../../src/platform/errors.ts';
import { installAllModules } from '../../src/modules/index.ts';

// The catalog is assembled from what the modules contribute, at start.
installAllModules();

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogs', () => {
  const zh = catalogs['zh-CN'];
  it('has every key, non-empty, with the same placeholders, in every language', () => {
    for (const locale of LOCALES) {
      const catalog = catalogs[locale];
      expect(Object.keys(catalog).sort()).toEqual(Object.keys(zh).sort());
      for (const [key, text] of Object.entries(catalog)) {
        expect(text.trim(), `${locale} ${key}`).not.toBe('');
        expect(placeholders(text), `${locale} ${key}`).toEqual(placeholders(zh[key as keyof typeof zh]));
      }
    }
  });

  it('writes Chinese in the Chinese catalog', () => {
    const withoutHan = Object.entries(zh).filter(
      ([, text]) => !/\p{Script=Han}/u.test(text) && /[A-Za-z]/.test(text.replace(/\{\w+\}/g, '')),
    );
    // Only the link to the English pages may be written in English.
    expect(withoutHan.map(([k]) => k)).toEqual(['layout.switchLanguage']);
  });

  it('has a message for every error code', () => {
    for (const { message } of Object.values(ERROR_CODES)) expect(zh[message]).toBeTruthy();
  });

  it('fills placeholders', () => {
    expect(translate('en', 'error.rateLimited', { seconds: 30 })).toBe(
      'Too many attempts. Please try again in 30 seconds.',
    );
    expect(translate('zh-CN', 'error.rateLimited', { seconds: 30 })).toContain('30 秒');
  });

  it('picks the language from Accept-Language, Chinese by default', () => {
    expect(localeFromAcceptLanguage(undefined)).toBe('zh-CN');
    expect(localeFromAcceptLanguage('en-GB,en;q=0.9')).toBe('en');
    expect(localeFromAcceptLanguage('fr, en;q=0.5, zh;q=0.8')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('de')).toBe('zh-CN');
  });
});

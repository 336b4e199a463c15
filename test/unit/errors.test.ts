import { describe, expect, it } from 'vitest';
import { fieldProblemsFromAjv, toAppError } from '../../src/platform/http-errors.tsx';
import { AppError } from '../../src/platform/errors.ts';

describe('error mapping', () => {
  it('turns schema failures into field problems with message keys', () => {
    expect(
      fieldProblemsFromAjv([
        { instancePath: '', keyword: 'required', params: { missingProperty: 'narrative' } },
        { instancePath: '/contact/phone', keyword: 'maxLength', params: { limit: 20 } },
        { instancePath: '/type', keyword: 'enum', params: {} },
      ]),
    ).toEqual([
      { field: 'narrative', message: 'validation.required' },
      { field: 'contact.phone', message: 'validation.tooLong', params: { limit: 20 } },
      { field: 'type', message: 'validation.choice' },
    ]);
  });

  it('maps framework errors to codes and hides everything else as INTERNAL', () => {
    expect(
      toAppError(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 })).code,
    ).toBe('BODY_TOO_LARGE');
    expect(toAppError(new Error('relation "secret_table" does not exist')).code).toBe('INTERNAL');
    const own = new AppError('NOT_FOUND');
    expect(toAppError(own)).toBe(own);
  });
});

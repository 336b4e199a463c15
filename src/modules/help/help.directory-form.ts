/**
 * The directory entry form's fields and their checks, shared by the admin pages (help.directory-admin.tsx) and
 * the use cases behind them and the API (help.directory-entries.ts). Pure: the tests call it too.
 */
import type { FieldProblem } from '../../platform/errors.ts';
import { DIRECTORY_KINDS, PROVINCES, type DirectoryKind } from './help.model.ts';
import type { DirectoryAdminEntry, DirectoryEntryInput } from './help.service.ts';

export const FIELDS = [
  'kind',
  'province',
  'nameZh',
  'nameEn',
  'cityZh',
  'cityEn',
  'phone',
  'addressZh',
  'hoursZh',
  'hoursEn',
] as const;
export type Field = (typeof FIELDS)[number];
export const LIMITS: Record<Field, number> = {
  kind: 20,
  province: 2,
  nameZh: 100,
  nameEn: 160,
  cityZh: 40,
  cityEn: 60,
  phone: 20,
  addressZh: 200,
  hoursZh: 100,
  hoursEn: 160,
};
export const REQUIRED: readonly Field[] = ['kind', 'province', 'nameZh', 'nameEn'];
const PROVINCE_CODES = new Set(['00', ...PROVINCES.map((p) => p.code)]);
export type Values = Partial<Record<Field, string>>;

/** The form → an entry, or the problems (field + message key). Pure: the tests call it too. */
export function parseDirectoryEntryForm(body: Values): {
  entry?: Omit<DirectoryEntryInput, 'id' | 'active'>;
  problems: FieldProblem[];
} {
  const problems: FieldProblem[] = [];
  const value = (f: Field): string | null => {
    const v = (body[f] ?? '').trim();
    return v === '' ? null : v;
  };
  for (const f of FIELDS) {
    const v = value(f);
    if (v === null) {
      if (REQUIRED.includes(f)) problems.push({ field: f, message: 'validation.required' });
    } else if ([...v].length > LIMITS[f])
      problems.push({ field: f, message: 'validation.tooLong', params: { limit: LIMITS[f] } });
    else if (/[<>]/.test(v)) problems.push({ field: f, message: 'help.validation.markup' });
  }
  const kind = value('kind');
  if (kind !== null && !(DIRECTORY_KINDS as readonly string[]).includes(kind))
    problems.push({ field: 'kind', message: 'validation.choice' });
  const province = value('province');
  if (province !== null && !PROVINCE_CODES.has(province))
    problems.push({ field: 'province', message: 'validation.choice' });
  const phone = value('phone');
  if (
    phone !== null &&
    !problems.some((p) => p.field === 'phone') &&
    !/^[0-9][0-9-]{1,18}[0-9]$/.test(phone)
  ) {
    problems.push({ field: 'phone', message: 'help.dirAdmin.phoneFormat' });
  }
  if (problems.length) return { problems };
  return {
    problems,
    entry: {
      kind: kind as DirectoryKind,
      province: province!,
      nameZh: value('nameZh')!,
      nameEn: value('nameEn')!,
      cityZh: value('cityZh'),
      cityEn: value('cityEn'),
      phone,
      addressZh: value('addressZh'),
      hoursZh: value('hoursZh'),
      hoursEn: value('hoursEn'),
    },
  };
}

export function changedFields(
  before: DirectoryAdminEntry,
  after: Omit<DirectoryEntryInput, 'id' | 'active'>,
): string[] {
  return FIELDS.filter((f) => (before[f] ?? null) !== (after[f] ?? null));
}

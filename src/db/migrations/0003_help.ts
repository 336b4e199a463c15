/**
 * The help module's tables (see src/modules/help/help.tables.ts) and the first directory entries: national
 * public hotlines and well-known public institutions in four cities. Only public numbers that are known
 * nationally (110, 120, 12338, 12348, 12355, 12368) are used; local phone numbers are added by admins.
 */
import { sql, type Kysely } from 'kysely';

interface SeedEntry {
  kind: string;
  province: string;
  city_zh: string | null;
  city_en: string | null;
  name_zh: string;
  name_en: string;
  phone: string | null;
  hours_zh: string | null;
  hours_en: string | null;
}

const national = (
  kind: string,
  name_zh: string,
  name_en: string,
  phone: string,
  hours_zh: string,
  hours_en: string,
): SeedEntry => ({
  kind,
  province: '00',
  city_zh: null,
  city_en: null,
  name_zh,
  name_en,
  phone,
  hours_zh,
  hours_en,
});
const local = (
  kind: string,
  province: string,
  city: [string, string],
  name_zh: string,
  name_en: string,
  phone: string | null,
): SeedEntry => ({
  kind,
  province,
  city_zh: city[0],
  city_en: city[1],
  name_zh,
  name_en,
  phone,
  hours_zh: null,
  hours_en: null,
});

const SEED: SeedEntry[] = [
  national('police', '报警电话（公安）', 'Police emergency', '110', '24 小时', '24 hours'),
  national('hospital', '医疗急救电话', 'Medical emergency', '120', '24 小时', '24 hours'),
  national(
    'federation',
    '全国妇联妇女维权公益服务热线',
    'Women’s Federation rights hotline',
    '12338',
    '各地时间不同，一般为工作日白天',
    'Varies by place; usually weekday daytime',
  ),
  national(
    'legal_aid',
    '公共法律服务热线（法律援助）',
    'Public legal services hotline (legal aid)',
    '12348',
    '各地时间不同',
    'Varies by place',
  ),
  national(
    'counselling',
    '青少年服务台（共青团，未成年人求助）',
    'Youth service hotline (Communist Youth League, for young people)',
    '12355',
    '各地时间不同',
    'Varies by place',
  ),
  national(
    'court',
    '人民法院诉讼服务热线',
    'People’s Court litigation service hotline',
    '12368',
    '工作日',
    'Working days',
  ),
  local(
    'court',
    '11',
    ['北京市', 'Beijing'],
    '北京市朝阳区人民法院',
    'Beijing Chaoyang District People’s Court',
    null,
  ),
  local('federation', '11', ['北京市', 'Beijing'], '北京市妇女联合会', 'Beijing Women’s Federation', '12338'),
  local('legal_aid', '11', ['北京市', 'Beijing'], '北京市法律援助中心', 'Beijing Legal Aid Centre', '12348'),
  local(
    'shelter',
    '11',
    ['北京市', 'Beijing'],
    '北京市救助管理站（临时庇护）',
    'Beijing Relief Station (temporary shelter)',
    null,
  ),
  local(
    'court',
    '31',
    ['上海市', 'Shanghai'],
    '上海市浦东新区人民法院',
    'Shanghai Pudong New Area People’s Court',
    null,
  ),
  local(
    'federation',
    '31',
    ['上海市', 'Shanghai'],
    '上海市妇女联合会',
    'Shanghai Women’s Federation',
    '12338',
  ),
  local(
    'legal_aid',
    '31',
    ['上海市', 'Shanghai'],
    '上海市法律援助中心',
    'Shanghai Legal Aid Centre',
    '12348',
  ),
  local(
    'court',
    '50',
    ['重庆市', 'Chongqing'],
    '重庆市渝中区人民法院',
    'Chongqing Yuzhong District People’s Court',
    null,
  ),
  local(
    'federation',
    '50',
    ['重庆市', 'Chongqing'],
    '重庆市妇女联合会',
    'Chongqing Women’s Federation',
    '12338',
  ),
  local(
    'legal_aid',
    '50',
    ['重庆市', 'Chongqing'],
    '重庆市法律援助中心',
    'Chongqing Legal Aid Centre',
    '12348',
  ),
  local(
    'court',
    '44',
    ['广州市', 'Guangzhou'],
    '广州市天河区人民法院',
    'Guangzhou Tianhe District People’s Court',
    null,
  ),
  local(
    'federation',
    '44',
    ['广州市', 'Guangzhou'],
    '广州市妇女联合会',
    'Guangzhou Women’s Federation',
    '12338',
  ),
  local(
    'legal_aid',
    '44',
    ['广州市', 'Guangzhou'],
    '广州市法律援助处',
    'Guangzhou Legal Aid Office',
    '12348',
  ),
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('help_request')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('case_code', 'text', (c) =>
      c
        .notNull()
        .unique()
        .check(sql`case_code ~ '^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$'`),
    )
    .addColumn('secret_hash', 'bytea', (c) => c.notNull())
    .addColumn('request_type', 'text', (c) => c.notNull())
    .addColumn('other_type_sealed', 'bytea')
    .addColumn('age_band', 'text')
    .addColumn('gender', 'text')
    .addColumn('is_minor', 'boolean')
    .addColumn('province', 'text')
    .addColumn('city', 'text')
    .addColumn('forms', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('relationship', 'text')
    .addColumn('children_witnessed', 'boolean')
    .addColumn('contact_channel', 'text', (c) => c.notNull())
    .addColumn('contact_sealed', 'bytea', (c) => c.notNull())
    .addColumn('consent_basis', 'text', (c) => c.notNull())
    .addColumn('consent_version', 'text', (c) => c.notNull())
    .addColumn('consented_at', 'timestamptz', (c) => c.notNull())
    .addColumn('no_guardian_contact', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('danger_level', 'text')
    .addColumn('danger_score', 'integer')
    .addColumn('danger_answers_sealed', 'bytea')
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('neutral_titles', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_opened_at', 'timestamptz')
    .addColumn('last_survivor_message_at', 'timestamptz')
    .addColumn('last_staff_reply_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('help_request_status_created')
    .on('help_request')
    .columns(['status', 'created_at'])
    .execute();

  await db.schema
    .createTable('help_message')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity())
    .addColumn('help_request_id', 'uuid', (c) =>
      c.notNull().references('help_request.id').onDelete('cascade'),
    )
    .addColumn('author', 'text', (c) => c.notNull().check(sql`author in ('survivor', 'staff')`))
    .addColumn('staff_ref', 'text')
    .addColumn('body_sealed', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('help_message_request')
    .on('help_message')
    .columns(['help_request_id', 'seq'])
    .execute();

  await db.schema
    .createTable('help_thread_session')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('token_hash', 'bytea', (c) => c.notNull().unique())
    .addColumn('help_request_id', 'uuid', (c) =>
      c.notNull().references('help_request.id').onDelete('cascade'),
    )
    .addColumn('neutral_titles', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('previous_open_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('idle_expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('absolute_expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('help_thread_session_expiry')
    .on('help_thread_session')
    .column('idle_expires_at')
    .execute();

  await db.schema
    .createTable('help_callback')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('help_request_id', 'uuid', (c) => c.references('help_request.id').onDelete('cascade'))
    .addColumn('contact_sealed', 'bytea', (c) => c.notNull())
    .addColumn('consent_version', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('waiting'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('help_directory_entry')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('province', 'text', (c) => c.notNull().check(sql`province ~ '^[0-9]{2}$'`))
    .addColumn('city_zh', 'text')
    .addColumn('city_en', 'text')
    .addColumn('name_zh', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.check(sql`phone ~ '^[0-9-]{3,20}$'`))
    .addColumn('address_zh', 'text')
    .addColumn('hours_zh', 'text')
    .addColumn('hours_en', 'text')
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('help_directory_entry_place')
    .on('help_directory_entry')
    .columns(['province', 'kind'])
    .execute();

  await db.schema
    .createTable('help_usage_day')
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('page_views', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('opens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('users', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('new_users', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('help_usage_day_pk', ['day', 'channel'])
    .execute();

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the schema is untyped inside migrations
  await (db as Kysely<any>).insertInto('help_directory_entry').values(SEED).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'help_usage_day',
    'help_directory_entry',
    'help_callback',
    'help_thread_session',
    'help_message',
    'help_request',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}

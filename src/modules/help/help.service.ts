/**
 * The help module's service: help requests with their first message, the survivor's thread (case code +
 * secret → a short-lived thread session), messages, call-backs, the directory and anonymous usage counts.
 * Other modules (the NGO desk) read requests and post staff replies through this service, never the tables.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { sql, type Insertable, type Selectable, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { WORD_SECRET, makeWordSecret, parseWordSecret, wordsOf } from './help.words.ts';
import type { HelpDirectoryEntryTable, HelpMessageTable, HelpRequestTable } from './help.tables.ts';
import { safeEqual, type Keyring, hmacSha256 } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import { GroupCommit } from '../../platform/group-commit.ts';
import { addToOutbox, outboxRow } from '../../platform/jobs.ts';
import type { RateLimiter } from '../../platform/rate-limit.ts';
import type { GuessPolicies } from '../../platform/throttle.ts';
import {
  CASE_CODE,
  CASE_CODE_ALPHABET,
  CONSENT_VERSION,
  SECRET,
  callbackProblems,
  helpRequestProblems,
  isUnder14,
  normalizeCaseCode,
  normalizeSecret,
  scoreDangerAssessment,
  textProblems,
  LIMITS,
  type CallbackInput,
  type ContactRules,
  type DirectoryKind,
  type HelpRequestInput,
} from './help.model.ts';

type Executor = Db | Transaction<Database>;

/** Thread sessions end after this long without use, and after this long in any case. */
export const THREAD_IDLE_MS = 30 * 60_000;
export const THREAD_ABSOLUTE_MS = 4 * 60 * 60_000;
/**
 * Wrong secrets are throttled, never locked (platform/throttle.ts): one network guessing one case code gets 5
 * tries, then waits doubling from 30 s (at most an hour); a case code guessed from many networks gets 50, then
 * waits of at most 5 minutes; one network gets 30 wrong tries over all codes (stops sweeping), then waits.
 * The right secret from another network is accepted; successful opens count nothing.
 */
export const OPEN_THREAD_THROTTLE: GuessPolicies = {
  source: { free: 5, baseMs: 30_000, capMs: 60 * 60_000, memoryMs: 24 * 60 * 60_000 },
  subject: { free: 50, baseMs: 1_000, capMs: 5 * 60_000, memoryMs: 24 * 60 * 60_000 },
  network: { free: 30, baseMs: 60_000, capMs: 60 * 60_000, memoryMs: 60 * 60_000 },
};

export interface CreatedHelpRequest {
  id: string;
  caseCode: string;
  /** Shown to her once; only its hash is stored. */
  secret: string;
  dangerLevel: string | null;
}

export interface ThreadSession {
  id: string;
  helpRequestId: string;
  caseCode: string;
  neutralTitles: boolean;
  previousOpenAt: Date | null;
}

/** Who answered her, as the thread names them. */
export type StaffRole = 'lawyer' | 'caseworker' | 'staff';

export interface ThreadMessage {
  id: string;
  author: 'survivor' | 'staff';
  /** For staff replies: a volunteer lawyer, a caseworker, or other staff. */
  staffRole?: StaffRole;
  text: string;
  createdAt: Date;
}

export interface StaffRequestSummary {
  id: string;
  caseCode: string;
  requestType: string;
  ageBand: string | null;
  isMinor: boolean | null;
  province: string | null;
  dangerLevel: string | null;
  contactChannel: string;
  status: string;
  createdAt: Date;
  lastSurvivorMessageAt: Date | null;
  lastStaffReplyAt: Date | null;
}

export interface StaffRequestView extends StaffRequestSummary {
  otherType: string | null;
  gender: string | null;
  city: string | null;
  forms: string[];
  relationship: string | null;
  childrenWitnessed: boolean | null;
  contact: ContactRules;
  consentBasis: string;
  noGuardianContact: boolean;
  dangerAnswers: boolean[] | null;
  messages: ThreadMessage[];
}

export interface DirectoryEntry {
  id: string;
  kind: string;
  province: string;
  city: string | null;
  name: string;
  phone: string | null;
  address: string | null;
  hours: string | null;
}

function makeCaseCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += CASE_CODE_ALPHABET[randomInt(CASE_CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

const makeSecret = (): string => Array.from({ length: 12 }, () => randomInt(10)).join('');
/** The secret as she is shown it: 12 digits in groups of four, or a child's five words in her language. */
export const formatSecret = (secret: string, locale = 'zh-CN'): string =>
  WORD_SECRET.test(secret) ? wordsOf(secret, locale) : secret.replace(/(\d{4})(?=\d)/g, '$1 ');

/** A help request ready to write: its rows, sealed, and what she is told once it is stored. */
interface PreparedHelpRequest {
  request: Insertable<HelpRequestTable>;
  message: Insertable<HelpMessageTable>;
  created: CreatedHelpRequest;
}

export class HelpService {
  private readonly secretKey: Buffer;
  private readonly sessionKey: Buffer;

  constructor(
    private readonly db: Db,
    private readonly keyring: Keyring,
    private readonly rateLimiter: RateLimiter,
  ) {
    this.secretKey = keyring.deriveKey('help-secret');
    this.sessionKey = keyring.deriveKey('help-thread-session');
  }

  private hashSecret(caseCode: string, secret: string): Buffer {
    return hmacSha256(this.secretKey)
      .update(caseCode + '\0' + secret)
      .digest();
  }

  private hashToken(token: string): Buffer {
    return hmacSha256(this.sessionKey).update(token).digest();
  }

  private seal(value: string, table: string, column: string, id: string): Buffer {
    return this.keyring.sealText(value, `${table}.${column}:${id}`);
  }

  private open(value: Buffer, table: string, column: string, id: string): string {
    return this.keyring.openText(value, `${table}.${column}:${id}`);
  }

  /**
   * Store a help request and her first message, with the outbox event the NGO desk reacts to, atomically.
   * Throws VALIDATION (nothing stored) when any rule is broken. Requests arriving together are written by
   * one statement (group commit, see platform/group-commit.ts); each is acknowledged only once it is stored.
   */
  async createHelpRequest(input: HelpRequestInput, locale: string): Promise<CreatedHelpRequest> {
    for (let attempt = 0; ; attempt++) {
      const prepared = this.prepareHelpRequest(input, locale);
      try {
        await this.intake.submit(prepared);
        return prepared.created;
      } catch (error) {
        // A clash of random case codes is possible, if rare: try another code.
        if ((error as { code?: string }).code === '23505' && attempt < 5) continue;
        throw error;
      }
    }
  }

  private readonly intake = new GroupCommit<PreparedHelpRequest, void>(
    async (batch) => {
      await this.insertHelpRequests(this.db, batch);
      return batch.map(() => undefined);
    },
    // One batch at a time (measured; see the note on the rate-limit counters in platform/rate-limit.ts).
    { maxInFlight: 1, maxBatch: 200, isolateFailures: true },
  );

  /** One request written on the caller's transaction (demo seeds). */
  async createHelpRequestIn(
    trx: Executor,
    input: HelpRequestInput,
    locale: string,
  ): Promise<CreatedHelpRequest> {
    const prepared = this.prepareHelpRequest(input, locale);
    await this.insertHelpRequests(trx, [prepared]);
    return prepared.created;
  }

  /** Validate and seal one request: the rows to write, and what she is told. */
  private prepareHelpRequest(input: HelpRequestInput, locale: string): PreparedHelpRequest {
    const problems = helpRequestProblems(input);
    if (problems.length) throw new AppError('VALIDATION', { fields: problems });
    const id = randomUUID();
    const secret = input.wordSecret ? makeWordSecret() : makeSecret();
    const danger = input.dangerAnswers ? scoreDangerAssessment(input.dangerAnswers) : undefined;
    const under14 = isUnder14(input);
    const contact: ContactRules = {
      channel: input.contact.channel,
      ...(input.contact.phone?.trim() ? { phone: input.contact.phone.trim() } : {}),
      ...(input.contact.email?.trim() ? { email: input.contact.email.trim() } : {}),
      windows: input.contact.windows,
      ...(input.contact.codeWord?.trim() ? { codeWord: input.contact.codeWord.trim() } : {}),
      noVoicemail: input.contact.noVoicemail,
      noSms: input.contact.noSms,
    };
    const caseCode = makeCaseCode();
    const messageId = randomUUID();
    return {
      request: {
        id,
        case_code: caseCode,
        secret_hash: this.hashSecret(caseCode, secret),
        request_type: input.requestType,
        other_type_sealed: input.otherType?.trim()
          ? this.seal(input.otherType.trim(), 'help_request', 'other_type', id)
          : null,
        age_band: input.ageBand ?? null,
        gender: input.gender ?? null,
        is_minor:
          input.minor ?? (input.ageBand ? input.ageBand === 'under_14' || input.ageBand === '14_17' : null),
        province: input.province ?? null,
        city: input.city?.trim() || null,
        forms: input.forms,
        relationship: input.relationship ?? null,
        children_witnessed: input.childrenWitnessed ?? null,
        contact_channel: contact.channel,
        contact_sealed: this.seal(JSON.stringify(contact), 'help_request', 'contact', id),
        consent_basis: under14 && input.guardianMayBeAbuser ? 'minor_emergency' : 'separate_consent',
        consent_version: CONSENT_VERSION,
        consented_at: new Date(),
        // The form promises every child (and anyone whose guardian hurts them) "we will not contact them",
        // whatever the age band: the promise is kept for whoever answers yes, not only under-14s.
        no_guardian_contact: input.guardianMayBeAbuser === true,
        danger_level: danger?.level ?? null,
        danger_score: danger?.score ?? null,
        danger_answers_sealed: input.dangerAnswers
          ? this.seal(JSON.stringify(input.dangerAnswers), 'help_request', 'danger_answers', id)
          : null,
        locale,
        neutral_titles: input.neutralTitles === true,
        last_survivor_message_at: new Date(),
      },
      message: this.messageRow(messageId, id, 'survivor', null, input.narrative.trim()),
      created: { id, caseCode, secret, dangerLevel: danger?.level ?? null },
    };
  }

  /** The requests, their first messages and outbox entries, written by ONE statement (atomic, one round trip). */
  private async insertHelpRequests(trx: Executor, batch: PreparedHelpRequest[]): Promise<void> {
    await trx
      .with('request', (db) => db.insertInto('help_request').values(batch.map((p) => p.request)))
      .with('message', (db) => db.insertInto('help_message').values(batch.map((p) => p.message)))
      .insertInto('outbox')
      .values(batch.map((p) => outboxRow('help.request-created', { helpRequestId: p.created.id })))
      .execute();
  }

  private messageRow(
    id: string,
    requestId: string,
    author: 'survivor' | 'staff',
    staffRef: string | null,
    text: string,
    staffRole: StaffRole | null = null,
  ) {
    return {
      id,
      help_request_id: requestId,
      author,
      staff_ref: staffRef,
      staff_role: staffRole,
      body_sealed: this.seal(text, 'help_message', 'body', id),
    };
  }

  private async insertMessage(
    trx: Executor,
    requestId: string,
    author: 'survivor' | 'staff',
    staffRef: string | null,
    text: string,
    staffRole: StaffRole | null = null,
  ): Promise<string> {
    const id = randomUUID();
    await trx
      .insertInto('help_message')
      .values(this.messageRow(id, requestId, author, staffRef, text, staffRole))
      .execute();
    return id;
  }

  /**
   * Case code + secret → a new thread session token (returned once; only its hash is stored). Wrong guesses
   * are throttled per network and case code, per case code and per network (RATE_LIMITED with the seconds
   * to wait); nothing locks the rightful person out. A wrong code and a wrong secret are indistinguishable.
   */
  async openThread(
    rawCode: string,
    rawSecret: string,
    network: string,
    options: { neutralTitles?: boolean } = {},
  ): Promise<{ token: string; session: ThreadSession }> {
    const caseCode = normalizeCaseCode(rawCode);
    // Five words from the children's list (either language), or 12 digits: the same throttles guard both.
    const secret = parseWordSecret(rawSecret) ?? normalizeSecret(rawSecret);
    const wellFormed = SECRET.test(secret) || WORD_SECRET.test(secret);
    const attempt = this.rateLimiter.guesses.attempt('help.open', caseCode, network, OPEN_THREAD_THROTTLE);
    await attempt.assertAllowed();
    const row = CASE_CODE.test(caseCode)
      ? await this.db
          .selectFrom('help_request')
          .select(['id', 'secret_hash', 'last_opened_at', 'neutral_titles'])
          .where('case_code', '=', caseCode)
          .executeTakeFirst()
      : undefined;
    const candidate = this.hashSecret(caseCode, wellFormed ? secret : '').toString('base64');
    // Compare even when the code is unknown, so timing does not tell whether a code exists.
    const stored = row ? row.secret_hash.toString('base64') : this.hashSecret('-', '-').toString('base64');
    if (!row || !wellFormed || !safeEqual(candidate, stored)) {
      await attempt.failed();
      throw new AppError('UNAUTHENTICATED', { fields: [{ field: 'secret', message: 'help.open.wrong' }] });
    }
    await attempt.succeeded();
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    const id = randomUUID();
    const neutralTitles = row.neutral_titles || options.neutralTitles === true;
    await this.db.transaction().execute(async (trx) => {
      // Expired sessions of anyone are removed as new ones open: no separate sweeper is needed.
      await trx
        .deleteFrom('help_thread_session')
        .where((eb) => eb.or([eb('idle_expires_at', '<', now), eb('absolute_expires_at', '<', now)]))
        .execute();
      await trx
        .insertInto('help_thread_session')
        .values({
          id,
          token_hash: this.hashToken(token),
          help_request_id: row.id,
          neutral_titles: neutralTitles,
          previous_open_at: row.last_opened_at,
          last_seen_at: now,
          idle_expires_at: new Date(now.getTime() + THREAD_IDLE_MS),
          absolute_expires_at: new Date(now.getTime() + THREAD_ABSOLUTE_MS),
        })
        .execute();
      await trx.updateTable('help_request').set({ last_opened_at: now }).where('id', '=', row.id).execute();
    });
    return {
      token,
      session: { id, helpRequestId: row.id, caseCode, neutralTitles, previousOpenAt: row.last_opened_at },
    };
  }

  /** The live session for a token, extending its idle expiry; undefined when unknown or expired. */
  async threadSession(token: string | undefined): Promise<ThreadSession | undefined> {
    if (!token || token.length > 100) return undefined;
    const now = new Date();
    const row = await this.db
      .updateTable('help_thread_session as s')
      .from('help_request as r')
      .set({
        last_seen_at: now,
        idle_expires_at: sql<Date>`least(s.absolute_expires_at, ${new Date(now.getTime() + THREAD_IDLE_MS)})`,
      })
      .whereRef('r.id', '=', 's.help_request_id')
      .where('s.token_hash', '=', this.hashToken(token))
      .where('s.idle_expires_at', '>', now)
      .where('s.absolute_expires_at', '>', now)
      .returning(['s.id', 's.help_request_id', 'r.case_code', 's.neutral_titles', 's.previous_open_at'])
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      helpRequestId: row.help_request_id,
      caseCode: row.case_code,
      neutralTitles: row.neutral_titles,
      previousOpenAt: row.previous_open_at,
    };
  }

  async endThreadSession(token: string | undefined): Promise<void> {
    if (!token || token.length > 100) return;
    await this.db.deleteFrom('help_thread_session').where('token_hash', '=', this.hashToken(token)).execute();
  }

  /** Remove expired thread sessions (run by a periodic job). */
  async sweepThreadSessions(): Promise<number> {
    const result = await this.db
      .deleteFrom('help_thread_session')
      .where((eb) =>
        eb.or([eb('idle_expires_at', '<', new Date()), eb('absolute_expires_at', '<', new Date())]),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async listMessages(db: Executor, requestId: string): Promise<ThreadMessage[]> {
    const rows = await db
      .selectFrom('help_message')
      .select(['id', 'author', 'staff_role', 'body_sealed', 'created_at'])
      .where('help_request_id', '=', requestId)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      author: r.author,
      ...(r.author === 'staff' ? { staffRole: r.staff_role ?? 'staff' } : {}),
      text: this.open(r.body_sealed, 'help_message', 'body', r.id),
      createdAt: r.created_at,
    }));
  }

  /** Her message on her thread. */
  async postSurvivorMessage(session: ThreadSession, text: string): Promise<ThreadMessage> {
    const problems = textProblems('text', text, LIMITS.message, true);
    if (problems.length) throw new AppError('VALIDATION', { fields: problems });
    return this.db.transaction().execute(async (trx) => {
      const id = await this.insertMessage(trx, session.helpRequestId, 'survivor', null, text.trim());
      const now = new Date();
      await trx
        .updateTable('help_request')
        .set({ last_survivor_message_at: now, status: 'open' })
        .where('id', '=', session.helpRequestId)
        .execute();
      await addToOutbox(trx, 'help.survivor-message', {
        helpRequestId: session.helpRequestId,
        messageId: id,
      });
      return { id, author: 'survivor' as const, text: text.trim(), createdAt: now };
    });
  }

  /** A call-back request with its own safe-contact rules; tied to her thread when `helpRequestId` is given. */
  async requestCallback(
    input: CallbackInput,
    locale: string,
    helpRequestId: string | null,
  ): Promise<{ id: string }> {
    const problems = callbackProblems(input);
    if (problems.length) throw new AppError('VALIDATION', { fields: problems });
    const id = randomUUID();
    const contact = {
      phone: input.phone.trim(),
      windows: input.windows,
      ...(input.codeWord?.trim() ? { codeWord: input.codeWord.trim() } : {}),
      noVoicemail: input.noVoicemail,
      noSms: input.noSms,
    };
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('help_callback')
        .values({
          id,
          help_request_id: helpRequestId,
          contact_sealed: this.seal(JSON.stringify(contact), 'help_callback', 'contact', id),
          consent_version: CONSENT_VERSION,
          locale,
        })
        .execute();
      await addToOutbox(trx, 'help.callback-requested', {
        callbackId: id,
        ...(helpRequestId ? { helpRequestId } : {}),
      });
    });
    return { id };
  }

  // ---- For the NGO desk (issue 5). Access checks belong to the caller's route; these functions trust it. ----

  /**
   * Help requests not closed (status `open`: waiting for staff, or `answered`: staff replied last), oldest first;
   * the desk orders by danger, minors and waiting time on top of this.
   */
  async listOpenRequests(db: Executor = this.db, limit = 200): Promise<StaffRequestSummary[]> {
    const rows = await db
      .selectFrom('help_request')
      .selectAll()
      .where('status', 'not in', ['closed', 'deleted'])
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map(summaryOf);
  }

  /** One request with its sealed fields opened, for the staff member the desk has already authorised. */
  async getRequestForStaff(db: Executor, requestId: string): Promise<StaffRequestView | undefined> {
    const r = await db.selectFrom('help_request').selectAll().where('id', '=', requestId).executeTakeFirst();
    // Deleted at her request (help.deletion.ts): nothing of hers is left to show.
    if (!r || r.status === 'deleted') return undefined;
    return {
      ...summaryOf(r),
      otherType: r.other_type_sealed
        ? this.open(r.other_type_sealed, 'help_request', 'other_type', r.id)
        : null,
      gender: r.gender,
      city: r.city,
      forms: r.forms,
      relationship: r.relationship,
      childrenWitnessed: r.children_witnessed,
      contact: JSON.parse(this.open(r.contact_sealed, 'help_request', 'contact', r.id)) as ContactRules,
      consentBasis: r.consent_basis,
      noGuardianContact: r.no_guardian_contact,
      dangerAnswers: r.danger_answers_sealed
        ? (JSON.parse(
            this.open(r.danger_answers_sealed, 'help_request', 'danger_answers', r.id),
          ) as boolean[])
        : null,
      messages: await this.listMessages(db, r.id),
    };
  }

  /** A staff reply on her thread, written in the caller's transaction (with its audit record). */
  async postStaffReply(
    trx: Executor,
    requestId: string,
    staffRef: string,
    text: string,
    staffRole: StaffRole = 'staff',
  ): Promise<ThreadMessage> {
    const problems = textProblems('text', text, LIMITS.message, true);
    if (problems.length) throw new AppError('VALIDATION', { fields: problems });
    const exists = await trx
      .selectFrom('help_request')
      .select('id')
      .where('id', '=', requestId)
      .where('status', '<>', 'deleted')
      .executeTakeFirst();
    if (!exists) throw new AppError('NOT_FOUND');
    const id = await this.insertMessage(trx, requestId, 'staff', staffRef, text.trim(), staffRole);
    const now = new Date();
    await trx
      .updateTable('help_request')
      .set({ last_staff_reply_at: now, status: 'answered' })
      .where('id', '=', requestId)
      .execute();
    return { id, author: 'staff', staffRole, text: text.trim(), createdAt: now };
  }

  /** The desk closes a request (its case is finished); she can still read her thread, and a new message reopens it. */
  async closeRequest(trx: Executor, requestId: string): Promise<void> {
    const result = await trx
      .updateTable('help_request')
      .set({ status: 'closed' })
      .where('id', '=', requestId)
      .where('status', '<>', 'deleted')
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new AppError('NOT_FOUND');
  }

  // ---- Directory ----

  async listDirectoryEntries(
    filter: { province?: string; kind?: DirectoryKind; q?: string },
    locale: string,
  ): Promise<DirectoryEntry[]> {
    let query = this.db.selectFrom('help_directory_entry').selectAll().where('active', '=', true);
    if (filter.province) query = query.where('province', 'in', [filter.province, '00']);
    if (filter.kind) query = query.where('kind', '=', filter.kind);
    const q = filter.q?.trim();
    if (q) {
      const like = `%${q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      query = query.where((eb) =>
        eb.or([
          eb('name_zh', 'ilike', like),
          eb('name_en', 'ilike', like),
          eb('city_zh', 'ilike', like),
          eb('city_en', 'ilike', like),
        ]),
      );
    }
    const rows = await query
      .orderBy(sql`province = '00'`, 'desc')
      .orderBy('province')
      .orderBy('kind')
      .orderBy('id')
      .limit(200)
      .execute();
    const en = locale === 'en';
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      province: r.province,
      city: en ? r.city_en : r.city_zh,
      name: en ? r.name_en : r.name_zh,
      phone: r.phone,
      address: r.address_zh,
      hours: en ? r.hours_en : r.hours_zh,
    }));
  }

  /** Admins maintain the directory (the admin screen calls this after its own access check). */
  async saveDirectoryEntry(entry: DirectoryEntryInput): Promise<string> {
    return this.db.transaction().execute((trx) => this.saveDirectoryEntryIn(trx, entry));
  }

  /**
   * The same, in the caller's transaction (the admin screen writes its audit event in it). Updating an entry
   * that does not exist is NOT_FOUND, so nothing is audited for it.
   */
  async saveDirectoryEntryIn(trx: Transaction<Database>, entry: DirectoryEntryInput): Promise<string> {
    const values = {
      kind: entry.kind,
      province: entry.province,
      city_zh: entry.cityZh ?? null,
      city_en: entry.cityEn ?? null,
      name_zh: entry.nameZh,
      name_en: entry.nameEn,
      phone: entry.phone ?? null,
      address_zh: entry.addressZh ?? null,
      hours_zh: entry.hoursZh ?? null,
      hours_en: entry.hoursEn ?? null,
      active: entry.active ?? true,
    };
    if (entry.id) {
      const updated = await trx
        .updateTable('help_directory_entry')
        .set({ ...values, updated_at: new Date() })
        .where('id', '=', entry.id)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) throw new AppError('NOT_FOUND');
      return entry.id;
    }
    const row = await trx
      .insertInto('help_directory_entry')
      .values(values)
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Every entry with both languages, retired ones too: what the admin screen lists. */
  async listDirectoryForAdmin(filter: { province?: string } = {}): Promise<DirectoryAdminEntry[]> {
    let query = this.db.selectFrom('help_directory_entry').selectAll();
    if (filter.province) query = query.where('province', '=', filter.province);
    const rows = await query
      .orderBy('active', 'desc')
      .orderBy('province')
      .orderBy('kind')
      .orderBy('name_zh')
      .orderBy('id')
      .execute();
    return rows.map(directoryAdminEntry);
  }

  async getDirectoryEntryForAdmin(id: string): Promise<DirectoryAdminEntry | undefined> {
    if (!/^[1-9][0-9]{0,17}$/.test(id)) return undefined; // a bigint identity
    const row = await this.db
      .selectFrom('help_directory_entry')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && directoryAdminEntry(row);
  }
}

export interface DirectoryEntryInput {
  id?: string;
  kind: DirectoryKind;
  province: string;
  cityZh?: string | null;
  cityEn?: string | null;
  nameZh: string;
  nameEn: string;
  phone?: string | null;
  addressZh?: string | null;
  hoursZh?: string | null;
  hoursEn?: string | null;
  active?: boolean;
}

export interface DirectoryAdminEntry extends Required<Omit<DirectoryEntryInput, 'kind'>> {
  id: string;
  kind: string;
  active: boolean;
  updatedAt: Date;
}

/** A directory row as the admin pages and the API show it (retired entries included). */
export function directoryAdminEntry(r: Selectable<HelpDirectoryEntryTable>): DirectoryAdminEntry {
  return {
    id: r.id,
    kind: r.kind,
    province: r.province,
    cityZh: r.city_zh,
    cityEn: r.city_en,
    nameZh: r.name_zh,
    nameEn: r.name_en,
    phone: r.phone,
    addressZh: r.address_zh,
    hoursZh: r.hours_zh,
    hoursEn: r.hours_en,
    active: r.active,
    updatedAt: r.updated_at,
  };
}

/** The desk's summary of a request: the fields every staff view shows, none of them sealed. */
function summaryOf(r: Selectable<HelpRequestTable>): StaffRequestSummary {
  return {
    id: r.id,
    caseCode: r.case_code,
    requestType: r.request_type,
    ageBand: r.age_band,
    isMinor: r.is_minor,
    province: r.province,
    dangerLevel: r.danger_level,
    contactChannel: r.contact_channel,
    status: r.status,
    createdAt: r.created_at,
    lastSurvivorMessageAt: r.last_survivor_message_at,
    lastStaffReplyAt: r.last_staff_reply_at,
  };
}

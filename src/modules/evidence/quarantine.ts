/**
 * Quarantine: items stored while no scanner answered (`scan_state = 'pending'`, "awaiting check"). The scan job
 * (topic `evidence.scan`, sent through the outbox in the transaction that stored the item) streams the stored
 * item through the scanner and records the verdict exactly once: the state changes from `pending` and a `check`
 * entry goes on the custody chain in one transaction, guarded by `scan_state = 'pending'`; a per-item advisory
 * lock keeps two processes from scanning the same item at once. `infected`: its bytes are removed and she sees
 * the refusal in her journal. A job that finds no scanner fails and pg-boss retries it with back-off; the sweep
 * (at start, whenever the scanner answers again, and every 10 minutes) picks up whatever is left.
 * The watch pings the scanner every 10 s: start-up and changes are logged, and /readyz reports it.
 */
import { sql } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../db/database.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { addToOutbox } from '../../platform/jobs.ts';
import { appendCustody } from './custody.ts';
import type { ScanState } from './evidence.tables.ts';
import { DELETE_OBJECTS_TOPIC, itemPrefix } from './evidence.service.ts';
import { itemParts, readParts, type StoredPart } from './evidence.read.ts';
import { uploadPrefix } from './tus-store.ts';
import type { MalwareScanner, ScanSlots, ScanVerdict } from './scanner.ts';
import type { EvidenceStorage } from './storage/index.ts';

export const SCANNER_ACTOR = 'system:malware-scanner';
const WATCH_EVERY_MS = 10_000;
const SWEEP_EVERY_MS = 10 * 60 * 1000;

export type ScannerStatus = {
  scanner: string;
  answering: boolean;
  since: string;
  problem?: string;
};

export class Quarantine {
  private current: ScannerStatus;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private lastSweep = 0;

  constructor(
    private readonly db: Db,
    private readonly keyring: Keyring,
    private readonly storage: EvidenceStorage,
    private readonly scanner: MalwareScanner,
    private readonly slots: ScanSlots,
    private readonly log: FastifyBaseLogger,
    description: string,
  ) {
    this.current = {
      scanner: description,
      answering: false,
      since: new Date().toISOString(),
      problem: 'not checked yet',
    };
  }

  status(): ScannerStatus {
    return { ...this.current };
  }

  /**
   * Scan one pending item. Throws when no scanner answers (the job is retried); `busy` when another process
   * is scanning it now; otherwise the item's state (already decided, or decided now).
   */
  async scanItem(
    evidenceId: string,
    /** A verdict from elsewhere (the upload's own scan session, late): nothing is read from the store. */
    given?: () => Promise<ScanVerdict | undefined>,
  ): Promise<ScanState | 'busy' | 'gone'> {
    return this.db.connection().execute(async (conn) => {
      const key = `evidence-scan:${evidenceId}`;
      const { rows } = await sql<{
        ok: boolean;
      }>`select pg_try_advisory_lock(hashtextextended(${key}, 0)) as ok`.execute(conn);
      if (!rows[0]?.ok) return 'busy';
      try {
        const row = await conn
          .selectFrom('evidence_item')
          .select(['id', 'upload_id', 'object_key', 'size', 'scan_state'])
          .where('id', '=', evidenceId)
          .executeTakeFirst();
        if (!row) return 'gone';
        if (row.scan_state !== 'pending') return row.scan_state;
        const verdict = given
          ? await given().then((v) => {
              if (!v) throw new Error('the upload’s scan session gave no verdict');
              return v;
            })
          : await this.scanObject(await itemParts(conn, row));
        const state: ScanState = verdict.clean ? 'clean' : 'infected';
        const recorded = await conn.transaction().execute(async (trx) => {
          const updated = await trx
            .updateTable('evidence_item')
            .set({ scan_state: state, scanned_at: new Date() })
            .where('id', '=', evidenceId)
            .where('scan_state', '=', 'pending')
            .executeTakeFirst();
          if (Number(updated.numUpdatedRows) !== 1) return false;
          await appendCustody(trx, {
            evidenceId,
            action: 'check',
            actor: SCANNER_ACTOR,
            details: { result: state, scanner: this.scanner.name },
          });
          if (!verdict.clean) {
            await addToOutbox(trx, DELETE_OBJECTS_TOPIC, { prefix: itemPrefix(evidenceId) });
            await addToOutbox(trx, DELETE_OBJECTS_TOPIC, { prefix: uploadPrefix(row.upload_id) });
          }
          return true;
        });
        if (recorded && !verdict.clean) {
          this.log.warn(
            { evidenceId, signature: verdict.signature },
            'evidence refused after its check: the malware scanner flagged it; its bytes are removed',
          );
          await this.storage.deletePrefix(itemPrefix(evidenceId)).catch(() => undefined);
          await this.storage.deletePrefix(uploadPrefix(row.upload_id)).catch(() => undefined);
        }
        if (recorded) this.log.info({ evidenceId, result: state }, 'evidence awaiting check was scanned');
        return state;
      } finally {
        await sql`select pg_advisory_unlock(hashtextextended(${key}, 0))`
          .execute(conn)
          .catch(() => undefined);
      }
    });
  }

  private async scanObject(parts: StoredPart[]): Promise<ScanVerdict> {
    const release = await this.slots.acquire();
    try {
      const session = await this.scanner.start();
      try {
        const plain = readParts(this.storage, this.keyring, parts);
        for await (const chunk of plain as AsyncIterable<Buffer>) await session.write(chunk);
        return await session.finish();
      } catch (error) {
        session.abort();
        throw error;
      }
    } finally {
      release();
    }
  }

  /** Scan every item still awaiting check (oldest first) until the scanner stops answering; how many were decided. */
  sweep(): Promise<number> {
    this.lastSweep = Date.now();
    this.sweeping ??= (async () => {
      let decided = 0;
      try {
        const pending = await this.db
          .selectFrom('evidence_item')
          .select('id')
          .where('scan_state', '=', 'pending')
          .orderBy('uploaded_at')
          .limit(1000)
          .execute();
        for (const { id } of pending) {
          const state = await this.scanItem(id);
          if (state === 'clean' || state === 'infected') decided += 1;
        }
      } catch (error) {
        this.log.warn(
          { err: error },
          'sweep of evidence awaiting check stopped: the scanner does not answer',
        );
      } finally {
        this.sweeping = undefined;
      }
      return decided;
    })();
    return this.sweeping;
  }

  /** Ask the scanner; log a change; when it answers again, sweep. */
  async check(): Promise<ScannerStatus> {
    const was = this.current;
    let problem: string | undefined;
    try {
      await this.scanner.ping();
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    const answering = problem === undefined;
    if (answering !== was.answering || was.problem === 'not checked yet') {
      this.current = {
        scanner: was.scanner,
        answering,
        since: new Date().toISOString(),
        ...(problem ? { problem } : {}),
      };
      if (answering)
        this.log.info(
          { scanner: was.scanner },
          'malware scanner answering: evidence is checked as it arrives',
        );
      else
        this.log.warn(
          { scanner: was.scanner, problem },
          'malware scanner not answering: evidence uploads are kept, awaiting check, until it does',
        );
    }
    if (answering && (!was.answering || Date.now() - this.lastSweep > SWEEP_EVERY_MS)) void this.sweep();
    return this.status();
  }

  /** Check now (the start-up line), then every 10 s until `stop()`. */
  async watch(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), WATCH_EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }
}

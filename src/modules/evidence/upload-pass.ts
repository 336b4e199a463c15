/**
 * The one pass over an upload's bytes while they arrive: SHA-256, the first bytes for type detection, and the
 * malware scan (one clamd INSTREAM session per upload, fed the same chunks the store encrypts). Completion
 * then only reads the pass's results: it moves no bytes.
 *
 * The pass lives in the memory of the process that receives the upload, and survives across the PATCH
 * requests of one upload (the usual case: tus clients send one or a few PATCHes to the same process). Node's
 * SHA-256 (OpenSSL) cannot be saved and restored, and a resumable SHA-256 written in JavaScript hashes at a
 * third of its speed (measured on this machine: 58 MB/s against 182 MB/s), which would cap every upload. So
 * when a PATCH finds no pass at its offset — the app restarted, another process took the upload, the pass
 * went idle and was dropped, or a segment failed to commit — the pass is rebuilt from the stored encrypted
 * segments (decrypted and hashed again, and fed to a fresh scan session), then goes on live. That fallback
 * reads what is stored; it never rewrites it.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { MalwareScanner, ScanSession, ScanSlots } from './scanner.ts';

/** Bytes kept from the start of the file for type detection. */
export const SAMPLE_BYTES = 64 * 1024;
/** A pass that received nothing for this long gives back its scan slot and is dropped (rebuilt if resumed). */
export const IDLE_PASS_MS = 10 * 60 * 1000;

export class UploadPass {
  readonly hash: Hash = createHash('sha256');
  /** Plaintext bytes the pass has seen (equal to the committed offset between requests). */
  offset = 0;
  private readonly sample: Buffer[] = [];
  private sampled = 0;
  /** False once the scan session is lost (or none could start): the item is then stored awaiting check. */
  scanning: boolean;
  touched = Date.now();
  /** True once any step of the pass went wrong mid-segment: the pass cannot be trusted and is rebuilt. */
  broken = false;

  constructor(
    private readonly scan: ScanSession | undefined,
    private readonly slot: (() => void) | undefined,
    private readonly log: FastifyBaseLogger,
    private readonly uploadId: string,
  ) {
    this.scanning = scan !== undefined;
  }

  /** Take the next plaintext chunk: hash it, keep the first bytes, send it to the scanner. */
  async feed(chunk: Buffer): Promise<void> {
    this.touched = Date.now();
    this.hash.update(chunk);
    this.offset += chunk.length;
    if (this.sampled < SAMPLE_BYTES) {
      const part = chunk.subarray(0, SAMPLE_BYTES - this.sampled);
      this.sample.push(Buffer.from(part));
      this.sampled += part.length;
    }
    if (!this.scanning || !this.scan) return;
    try {
      await this.scan.write(chunk);
    } catch (error) {
      this.scanning = false;
      this.scan.abort();
      this.slot?.();
      this.log.warn(
        { err: error, uploadId: this.uploadId },
        'malware scanner stopped mid-file: the upload is kept awaiting check',
      );
    }
  }

  /**
   * The verdict if clamd gives it within `ms` of the last byte; else `late` (`pending` then resolves with it).
   * clamd scans an INSTREAM only once the stream ends, so a large file's scan outlasts its upload: completion
   * does not wait for it (the item is listed awaiting check and the verdict recorded when it comes).
   */
  async verdictWithin(
    ms: number,
  ): Promise<
    | { verdict: Awaited<ReturnType<UploadPass['verdict']>> }
    | { late: true; pending: ReturnType<UploadPass['verdict']> }
  > {
    const pending = this.verdict();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), ms);
    });
    const first = await Promise.race([pending, late]);
    clearTimeout(timer);
    return first === 'late' ? { late: true, pending } : { verdict: first };
  }

  head(): Buffer {
    return Buffer.concat(this.sample);
  }

  /** The scanner's verdict, or undefined when there is none (the item then waits for the scan job). */
  async verdict(): Promise<Awaited<ReturnType<ScanSession['finish']>> | undefined> {
    if (!this.scanning || !this.scan) return undefined;
    this.scanning = false;
    try {
      return await this.scan.finish();
    } catch (error) {
      this.log.warn(
        { err: error, uploadId: this.uploadId },
        'malware scanner gave no verdict: the upload is kept awaiting check',
      );
      return undefined;
    } finally {
      this.slot?.();
    }
  }

  close(): void {
    if (this.scanning) this.scan?.abort();
    this.scanning = false;
    this.slot?.();
  }
}

/** The live passes of this process, by upload id. */
export class UploadPasses {
  private readonly passes = new Map<string, UploadPass>();
  private readonly timer: NodeJS.Timeout;
  /** Passes rebuilt from stored segments (tests and logs). */
  rebuilt = 0;

  constructor(
    private readonly scanner: MalwareScanner,
    private readonly slots: ScanSlots,
    private readonly log: FastifyBaseLogger,
    /** The decrypted bytes an upload has stored so far, in order (the fallback). */
    private readonly storedPlaintext: (uploadId: string) => AsyncIterable<Buffer>,
  ) {
    this.timer = setInterval(() => this.dropIdle(), 60_000);
    this.timer.unref();
  }

  /** The pass to go on with at `offset`: the live one, or a new one (rebuilt from what is stored). */
  async forOffset(uploadId: string, offset: number): Promise<UploadPass> {
    const live = this.passes.get(uploadId);
    if (live && !live.broken && live.offset === offset) {
      live.touched = Date.now();
      return live;
    }
    this.drop(uploadId);
    const pass = await this.open(uploadId);
    if (offset > 0) {
      this.rebuilt += 1;
      this.log.info({ uploadId, offset }, 'evidence upload pass rebuilt from its stored segments');
      try {
        for await (const chunk of this.storedPlaintext(uploadId)) await pass.feed(chunk);
      } catch (error) {
        pass.close();
        throw error;
      }
      if (pass.offset !== offset) {
        pass.close();
        throw new Error(`stored segments hold ${pass.offset} bytes, the upload says ${offset}`);
      }
    }
    this.passes.set(uploadId, pass);
    return pass;
  }

  /** Take the pass covering all `size` bytes away for completion, or a fresh one rebuilt from storage. */
  async take(uploadId: string, size: number): Promise<UploadPass> {
    const pass = await this.forOffset(uploadId, size);
    this.passes.delete(uploadId);
    return pass;
  }

  drop(uploadId: string): void {
    this.passes.get(uploadId)?.close();
    this.passes.delete(uploadId);
  }

  /** Forget every live pass (what a restarted process has: only what is stored). */
  dropAll(): void {
    for (const id of [...this.passes.keys()]) this.drop(id);
  }

  stop(): void {
    clearInterval(this.timer);
    this.dropAll();
  }

  private dropIdle(): void {
    const now = Date.now();
    for (const [id, pass] of this.passes) if (now - pass.touched > IDLE_PASS_MS) this.drop(id);
  }

  private async open(uploadId: string): Promise<UploadPass> {
    // Her file is never refused because the scanner is away or busy: without a free slot and an answering
    // scanner it is stored as `pending` (awaiting check) and the scan job checks it from the stored segments.
    const slot = this.slots.tryAcquire();
    let scan: ScanSession | undefined;
    if (slot) {
      scan = await this.scanner.start().catch((error: unknown) => {
        this.log.warn({ err: error, uploadId }, 'malware scanner away: the upload is kept awaiting check');
        return undefined;
      });
      if (!scan) slot();
    }
    return new UploadPass(scan, scan ? slot : undefined, this.log, uploadId);
  }
}

/**
 * Malware scanning behind one interface. The real scanner talks to ClamAV's clamd (INSTREAM over a unix
 * socket or TCP): bytes are streamed as they are read, so memory stays flat. `none` exists for development
 * only (refused in production by the configuration).
 */
import { connect, type Socket } from 'node:net';
import type { EvidenceConfig } from '../../config.ts';

export type ScanVerdict = { clean: true } | { clean: false; signature: string };

export interface ScanSession {
  /** Send the next bytes; resolves when the scanner can take more. */
  write(chunk: Buffer): Promise<void>;
  /** No more bytes: the verdict. */
  finish(): Promise<ScanVerdict>;
  /** Give up (the upload failed for another reason). */
  abort(): void;
}

export interface MalwareScanner {
  readonly name: string;
  /** Check the scanner answers (start of an upload, readiness). */
  ping(): Promise<void>;
  start(): Promise<ScanSession>;
}

export class ScannerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScannerUnavailableError';
  }
}

const MAX_CHUNK = 64 * 1024;

export class ClamdScanner implements MalwareScanner {
  readonly name = 'clamd';

  constructor(
    private readonly address: { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number },
    private readonly timeoutMs = 120_000,
  ) {}

  private open(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket =
        this.address.kind === 'unix'
          ? connect(this.address.path)
          : connect(this.address.port, this.address.host);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(new ScannerUnavailableError(`clamd cannot be reached: ${error.message}`, { cause: error }));
      };
      socket.once('error', fail);
      // A host that does not answer at all would otherwise hold the connect for the system's timeout.
      const timer = setTimeout(() => fail(new Error('no answer within 10 s')), 10_000);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        socket.setTimeout(this.timeoutMs);
        resolve(socket);
      });
    });
  }

  async ping(): Promise<void> {
    const socket = await this.open();
    const reply = await readReply(socket, () => socket.end('zPING\0'));
    if (reply !== 'PONG') throw new ScannerUnavailableError(`clamd answered "${reply}" to PING`);
  }

  async start(): Promise<ScanSession> {
    const socket = await this.open();
    let failure: Error | undefined;
    let replyText = '';
    const reply = new Promise<string>((resolve) => {
      socket.on('data', (data: Buffer) => (replyText += data.toString('utf8')));
      socket.on('error', (error) => (failure ??= error));
      socket.on('timeout', () => {
        failure ??= new Error('clamd timed out');
        socket.destroy();
      });
      socket.on('close', () => resolve(replyText.replace(/\0+$/, '').trim()));
    });
    socket.write('zINSTREAM\0');
    const frame = (chunk: Buffer): Promise<void> =>
      new Promise((resolve, reject) => {
        if (failure || socket.destroyed) {
          reject(
            new ScannerUnavailableError(
              `clamd stopped reading: ${replyText || failure?.message || 'closed'}`,
            ),
          );
          return;
        }
        const length = Buffer.alloc(4);
        length.writeUInt32BE(chunk.length);
        socket.write(length);
        if (socket.write(chunk)) resolve();
        else socket.once('drain', resolve);
      });
    return {
      async write(chunk) {
        for (let i = 0; i < chunk.length; i += MAX_CHUNK) await frame(chunk.subarray(i, i + MAX_CHUNK));
      },
      async finish() {
        if (!socket.destroyed) socket.end(Buffer.alloc(4));
        const text = await reply;
        return parseVerdict(text);
      },
      abort() {
        socket.destroy();
      },
    };
  }
}

export function parseVerdict(text: string): ScanVerdict {
  const found = /^stream: (.+) FOUND$/.exec(text);
  if (found) return { clean: false, signature: found[1] ?? 'unknown' };
  if (text === 'stream: OK') return { clean: true };
  throw new ScannerUnavailableError(`clamd could not scan the file: ${text || 'no answer'}`);
}

function readReply(socket: Socket, send: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (data: Buffer) => (text += data.toString('utf8')));
    socket.once('error', (error) =>
      reject(new ScannerUnavailableError(`clamd failed: ${error.message}`, { cause: error })),
    );
    socket.once('timeout', () => {
      socket.destroy();
      reject(new ScannerUnavailableError('clamd timed out'));
    });
    socket.once('close', () => resolve(text.replace(/\0+$/, '').trim()));
    send();
  });
}

/** Development only: accepts every file. The configuration refuses it in production. */
export class NoScanner implements MalwareScanner {
  readonly name = 'none';
  async ping(): Promise<void> {}
  async start(): Promise<ScanSession> {
    return { write: async () => undefined, finish: async () => ({ clean: true }), abort: () => undefined };
  }
}

export function createScanner(config: EvidenceConfig): MalwareScanner {
  const clamd = config.clamd;
  if (clamd.kind === 'none') return new NoScanner();
  return new ClamdScanner(clamd.kind === 'embedded' ? { kind: 'unix', path: clamd.path } : clamd);
}

/** The scanner's address as logs and /readyz name it (no secrets in it). */
export function describeScanner(config: EvidenceConfig): string {
  const clamd = config.clamd;
  if (clamd.kind === 'none') return 'none (files are not scanned: development only)';
  if (clamd.kind === 'tcp') return `clamd at tcp://${clamd.host}:${clamd.port}`;
  return `clamd at unix:${clamd.path}${clamd.kind === 'embedded' ? ' (embedded)' : ''}`;
}

/**
 * A bound on the scans this process runs at once, so one slow file (an archive bomb) cannot hold every
 * upload. The upload's own pass only takes a slot that is free now (else the file waits, quarantined, for
 * the scan job); the job waits for one.
 */
export class ScanSlots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  /** A slot if one is free now: call the returned function to give it back. */
  tryAcquire(): (() => void) | undefined {
    if (this.free === 0) return undefined;
    this.free -= 1;
    return this.releaser();
  }

  /** Wait for a slot. */
  async acquire(): Promise<() => void> {
    const slot = this.tryAcquire();
    if (slot) return slot;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.releaser();
  }

  get available(): number {
    return this.free;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    };
  }
}

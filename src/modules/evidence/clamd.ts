/**
 * A clamd the app runs itself (the embedded default outside production, and the tests' own): the config is
 * written into its directory, the socket lives there, signatures are read from a database directory (the
 * system's /var/lib/clamav, read only). `start()` resolves once clamd answers PING, or rejects at once with
 * the cause (its own last words, or a directory the clamav user cannot reach). `supervise()` keeps it running:
 * restarted with back-off when it dies, retried while it cannot start (no signatures yet), stopped on `stop()`.
 * Scan limits bound what one file can cost (archive recursion, files, unpacked bytes, time).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CLAMD_BINARY } from '../../config.ts';
import { ClamdScanner } from './scanner.ts';

/** What one file may cost clamd. An archive past a limit is scanned up to it and not refused for that alone. */
export const SCAN_LIMITS = {
  /** Archives inside archives. */
  MaxRecursion: 8,
  /** Files taken out of one archive. */
  MaxFiles: 2000,
  /** Bytes scanned per file in all (unpacked): the largest evidence file clamd can take. */
  MaxScanSize: '2047M',
  /** Largest single file (or archive member) scanned. */
  MaxFileSize: '2047M',
  /** Milliseconds clamd spends on one file; past it the rest is not scanned (a bomb costs at most this). */
  MaxScanTime: 60_000,
  /** Bytes one INSTREAM may send: the largest evidence file. */
  StreamMaxLength: '2047M',
} as const;

export interface ClamdOptions {
  /** Its directory: clamd.conf, the socket, the pid file and its log are written here. */
  dir: string;
  /** Where the signatures are (read only). */
  databaseDir: string;
  socket?: string;
  binary?: string;
  /** clamd's threads (scans at once); our own bound is `ScanSlots`. */
  threads?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export class ClamdStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClamdStartError';
  }
}

export function clamdConfig(
  options: Required<Pick<ClamdOptions, 'dir' | 'databaseDir' | 'socket'>> & {
    threads: number;
    user?: string;
  },
): string {
  return [
    `DatabaseDirectory ${options.databaseDir}`,
    `LocalSocket ${options.socket}`,
    'LocalSocketMode 600',
    `PidFile ${path.join(options.dir, 'clamd.pid')}`,
    'Foreground yes',
    `LogFile ${path.join(options.dir, 'clamd.log')}`,
    'LogTime yes',
    'LogFileMaxSize 10M',
    ...Object.entries(SCAN_LIMITS).map(([name, value]) => `${name} ${value}`),
    `MaxThreads ${options.threads}`,
    'ReadTimeout 120',
    'CommandReadTimeout 30',
    'SelfCheck 3600',
    ...(options.user ? [`User ${options.user}`] : []),
    '',
  ].join('\n');
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const START_TIMEOUT_MS = 180_000;

export class Clamd {
  readonly socket: string;
  private child: ChildProcess | undefined;
  private output: string[] = [];
  private stopping = false;
  private supervising = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly log: NonNullable<ClamdOptions['log']>;

  constructor(private readonly options: ClamdOptions) {
    this.socket = options.socket ?? path.join(options.dir, 'clamd.sock');
    this.log = options.log ?? (() => undefined);
  }

  get address(): string {
    return `unix:${this.socket}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Start clamd and wait until it answers; rejects with the cause when it cannot. */
  async start(): Promise<void> {
    const { dir, databaseDir } = this.options;
    const binary = this.options.binary ?? CLAMD_BINARY;
    if (!existsSync(binary))
      throw new ClamdStartError(
        `clamd is not installed (${binary}): apt-get install -y clamav-daemon clamav`,
      );
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (isRoot) {
      // Like the embedded PostgreSQL: the clamav user may traverse the data directory (not list or read it).
      const parent = await stat(path.dirname(dir));
      if ((parent.mode & 0o001) === 0 && parent.uid === 0)
        await chmod(path.dirname(dir), (parent.mode & 0o777) | 0o001);
    }
    await stopOrphan(dir);
    const signatures = await readdir(databaseDir).catch(() => [] as string[]);
    if (!signatures.some((name) => /\.(c[lv]d|[nh]db|hsb|ldb|ndu|ldu|cud)$/.test(name))) {
      throw new ClamdStartError(
        `no ClamAV signatures in ${databaseDir}: run freshclam (Debian: apt-get install clamav-freshclam)`,
      );
    }
    let user: string | undefined;
    if (isRoot) {
      // clamd drops to the clamav user: it must reach its directory and the signatures.
      const clamav = await clamavIds();
      if (clamav) {
        user = 'clamav';
        await chown(dir, clamav.uid, clamav.gid);
        const blocked =
          (await unreachableBy(dir, clamav.uid)) ?? (await unreachableBy(databaseDir, clamav.uid));
        if (blocked) {
          throw new ClamdStartError(
            `clamd runs as the clamav user, which cannot enter ${blocked} (no search permission for others); use a directory it can reach (e.g. under /tmp)`,
          );
        }
      }
    }
    await rm(this.socket, { force: true });
    await writeFile(
      path.join(dir, 'clamd.conf'),
      clamdConfig({ dir, databaseDir, socket: this.socket, threads: this.options.threads ?? 2, user }),
    );
    if (user) {
      const clamav = await clamavIds();
      if (clamav) await chown(path.join(dir, 'clamd.conf'), clamav.uid, clamav.gid);
    }
    await chmod(dir, 0o700);
    this.output = [];
    const child = spawn(binary, [`--config-file=${path.join(dir, 'clamd.conf')}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const remember = (data: Buffer) => {
      for (const line of data.toString('utf8').split('\n')) if (line.trim()) this.output.push(line.trim());
      this.output.splice(0, Math.max(0, this.output.length - 20));
    };
    child.stdout?.on('data', remember);
    child.stderr?.on('data', remember);
    const exited = new Promise<string>((resolve) =>
      child.once('exit', (code, signal) => resolve(`exited (${signal ?? `code ${code}`})`)),
    );
    child.once('error', (error) => this.output.push(error.message));
    const scanner = new ClamdScanner({ kind: 'unix', path: this.socket }, 10_000);
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const ended = await Promise.race([
        exited,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 200)),
      ]);
      if (ended !== undefined) {
        this.child = undefined;
        const log = await readFile(path.join(dir, 'clamd.log'), 'utf8').catch(() => '');
        const words = [
          ...this.output,
          ...log
            .split('\n')
            .filter((l) => /error|warning|can't|cannot|denied/i.test(l))
            .slice(-3),
        ]
          .slice(-6)
          .join(' | ');
        throw new ClamdStartError(`clamd ${ended} during start-up: ${words || 'no output'}`);
      }
      if (
        existsSync(this.socket) &&
        (await scanner.ping().then(
          () => true,
          () => false,
        ))
      )
        return;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new ClamdStartError(
          `clamd did not answer on ${this.socket} within ${START_TIMEOUT_MS / 1000} s: ${this.output.slice(-3).join(' | ')}`,
        );
      }
    }
  }

  /**
   * Keep clamd running: start it, restart it when it dies (back-off 1 s … 60 s), retry a start that fails
   * (e.g. no signatures yet) every minute. Never throws; causes are logged once each.
   */
  supervise(): void {
    this.supervising = true;
    let delay = 1000;
    let lastCause = '';
    const attempt = async (): Promise<void> => {
      if (this.stopping) return;
      try {
        await this.start();
        this.log('info', `clamd answering on ${this.socket} (pid ${this.child?.pid})`);
        lastCause = '';
        const startedAt = Date.now();
        this.child?.once('exit', (code, signal) => {
          this.child = undefined;
          if (this.stopping) return;
          if (Date.now() - startedAt > 60_000) delay = 1000;
          this.log(
            'warn',
            `clamd stopped (${signal ?? `code ${code}`}): restarting in ${delay / 1000} s. ${this.output.slice(-2).join(' | ')}`,
          );
          this.restartTimer = setTimeout(() => void attempt(), delay);
          delay = Math.min(delay * 2, 60_000);
        });
      } catch (error) {
        const cause = error instanceof Error ? error.message : String(error);
        if (cause !== lastCause)
          this.log(
            'error',
            `the embedded clamd cannot start: ${cause}. Uploads are kept awaiting check; retrying every minute`,
          );
        lastCause = cause;
        if (!this.stopping) this.restartTimer = setTimeout(() => void attempt(), 60_000);
      }
    };
    void attempt();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
    if (!this.supervising) await rm(this.socket, { force: true });
  }
}

/** A clamd left running by a process killed with SIGKILL holds the socket: stop it before starting anew. */
async function stopOrphan(dir: string): Promise<void> {
  const pid = Number((await readFile(path.join(dir, 'clamd.pid'), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!command.includes('clamd') || !command.includes(dir)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i += 1) await new Promise((r) => setTimeout(r, 100));
  if (existsSync(`/proc/${pid}`)) process.kill(pid, 'SIGKILL');
}

async function clamavIds(): Promise<{ uid: number; gid: number } | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  const line = passwd.split('\n').find((l) => l.startsWith('clamav:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

/** The first directory on the way to `target` that `uid` (not its owner) cannot enter, if any. */
async function unreachableBy(target: string, uid: number): Promise<string | undefined> {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i += 1) {
    const dir = path.sep + parts.slice(0, i).join(path.sep);
    const info = await stat(dir).catch(() => undefined);
    if (!info) return dir;
    const can = info.uid === uid ? info.mode & 0o100 : info.mode & 0o001 || 0;
    if (!can) return dir;
  }
  return undefined;
}

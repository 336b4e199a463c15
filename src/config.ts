/**
 * Settings: read once from environment variables at start-up, validated, and frozen.
 * A bad value stops start-up with a message that names the setting (see `ConfigError`).
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';

export type Environment = 'development' | 'test' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  env: Environment;
  host: string;
  port: number;
  /** External PostgreSQL; when absent the embedded server is started in the data directory. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Port for the embedded PostgreSQL server (never 5432, which the machine's own server may hold). */
  embeddedPgPort: number;
  /** Base64 of 32 bytes; when absent outside production it is generated into the data directory. */
  masterKey: string | undefined;
  logLevel: LogLevel;
  /** Load demo organisations and accounts into an empty database (never in production). */
  demoData: boolean;
  /** Number of reverse proxies in front of the app whose X-Forwarded-For may be trusted. */
  trustProxy: number;
  /** Public origin used in links that leave the app (order QR codes, invitations). */
  publicUrl: string;
  /** Where quick exit leaves to: an ordinary site that hints at nothing. */
  quickExitUrl: string;
  /** The evidence vault: where encrypted files go, size limits, the malware scanner. */
  evidence: EvidenceConfig;
  /** Requests per minute one network address may make across the app, before route-specific limits. */
  rateLimitPerMinute: number;
  /** Zero bits of SHA-256 a help request's proof of work needs (platform/proof-of-work.ts); 0 turns the work off. */
  proofOfWorkBits: number;
  /** How long the server waits on clients (see docs/operations.md for the reverse proxy's matching settings). */
  timeouts: TimeoutConfig;
  /** Webhooks for systems (docs/systems-api.md). */
  webhooks: WebhookConfig;
}

export interface TimeoutConfig {
  /** A request body that sends nothing for this long is cut (a stalled or slowloris client). */
  bodyIdleMs: number;
  /** The whole request (headers and body) must have arrived within this; generous for 8 MiB upload chunks on a slow phone. */
  requestMs: number;
  /** An idle keep-alive connection is closed after this (longer than the reverse proxy's upstream keep-alive). */
  keepAliveMs: number;
}

export interface WebhookConfig {
  /** A subscription's URL must start with one of these (ANXIN_WEBHOOK_URL_PREFIXES, comma-separated; `https://` by default). */
  urlPrefixes: string[];
  /** The first retry waits this long; each later one twice as long (ANXIN_WEBHOOK_RETRY_BASE_MS, 30 s by default). */
  retryBaseMs: number;
}

export interface EvidenceConfig {
  /** `fs`: encrypted files under `<dataDir>/evidence`; `s3`: any S3-compatible object store. */
  store: 'fs' | 's3';
  dir: string;
  s3:
    | {
        endpoint: string | undefined;
        bucket: string;
        region: string;
        accessKeyId: string | undefined;
        secretAccessKey: string | undefined;
      }
    | undefined;
  maxFileBytes: number;
  maxOwnerBytes: number;
  /**
   * ClamAV clamd: `unix:/path`, `tcp://host:port`, `none` (development only: files are not scanned), or
   * `embedded` (ANXIN_CLAMD unset outside production where clamd is installed: the app runs its own clamd on
   * a socket in the data directory, with the system's signatures, as it does PostgreSQL).
   */
  clamd:
    | { kind: 'unix'; path: string }
    | { kind: 'tcp'; host: string; port: number }
    | { kind: 'embedded'; path: string; dir: string; databaseDir: string }
    | { kind: 'none' };
}

/** Where Debian's clamav-daemon puts clamd, and where freshclam keeps the signatures (read only for us). */
export const CLAMD_BINARY = '/usr/sbin/clamd';
export const CLAMD_SYSTEM_DATABASE = '/var/lib/clamav';

export class ConfigError extends Error {
  constructor(readonly problems: { setting: string; problem: string }[]) {
    super('Invalid configuration:\n' + problems.map((p) => `  - ${p.setting}: ${p.problem}`).join('\n'));
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const ENVIRONMENTS: readonly Environment[] = ['development', 'test', 'production'];

type Env = Record<string, string | undefined>;

/** Parse and validate settings; throws ConfigError naming every bad setting at once. */
export function loadConfig(env: Env = process.env): Config {
  const problems: { setting: string; problem: string }[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = read(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push({ setting: name, problem: `must be one of ${allowed.join(', ')} (got "${value}")` });
    return fallback;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = read(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
      problems.push({
        setting: name,
        problem: `must be a whole number from ${min} to ${max} (got "${value}")`,
      });
      return fallback;
    }
    return parsed;
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const value = read(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    problems.push({ setting: name, problem: `must be true or false (got "${value}")` });
    return fallback;
  };

  const nodeEnv = oneOf('NODE_ENV', ENVIRONMENTS, 'development');
  const port = integer('PORT', 3000, 0, 65535);
  const host = read('HOST') ?? '127.0.0.1';
  if (!/^[\w.:-]+$/.test(host))
    problems.push({ setting: 'HOST', problem: `is not a host name or address (got "${host}")` });

  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined) {
    let ok: boolean;
    try {
      const url = new URL(databaseUrl);
      ok = url.protocol === 'postgres:' || url.protocol === 'postgresql:';
    } catch {
      ok = false;
    }
    // The URL itself may carry a password: never echo it back.
    if (!ok)
      problems.push({ setting: 'DATABASE_URL', problem: 'must be a postgres:// or postgresql:// URL' });
  }

  const dataDir = path.resolve(read('ANXIN_DATA_DIR') ?? 'data');
  const embeddedPgPort = integer('ANXIN_EMBEDDED_PG_PORT', 54329, 1024, 65535);
  if (embeddedPgPort === 5432 && databaseUrl === undefined) {
    problems.push({
      setting: 'ANXIN_EMBEDDED_PG_PORT',
      problem: 'must not be 5432, which the machine’s own PostgreSQL may use',
    });
  }

  const masterKey = read('ANXIN_MASTER_KEY');
  if (masterKey !== undefined) {
    const problem = masterKeyProblem(masterKey);
    if (problem) problems.push({ setting: 'ANXIN_MASTER_KEY', problem });
  } else if (nodeEnv === 'production') {
    problems.push({
      setting: 'ANXIN_MASTER_KEY',
      problem: 'is required in production (32 random bytes in base64: `openssl rand -base64 32`)',
    });
  }
  if (
    nodeEnv === 'production' &&
    databaseUrl === undefined &&
    !boolean('ANXIN_ALLOW_EMBEDDED_IN_PRODUCTION', false)
  ) {
    // The embedded server is fine for one NGO, but a production operator must say so explicitly.
    problems.push({
      setting: 'DATABASE_URL',
      problem: 'is required in production (or set ANXIN_ALLOW_EMBEDDED_IN_PRODUCTION=true)',
    });
  }

  const logLevel = oneOf('ANXIN_LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'silent' : 'info');
  const demoData = boolean('ANXIN_DEMO_DATA', nodeEnv !== 'production');
  if (demoData && nodeEnv === 'production') {
    problems.push({ setting: 'ANXIN_DEMO_DATA', problem: 'cannot be enabled in production' });
  }
  const trustProxy = integer('ANXIN_TRUST_PROXY', 0, 0, 10);
  const rateLimitPerMinute = integer('ANXIN_RATE_LIMIT_PER_MINUTE', 300, 1, 1_000_000);
  const proofOfWorkBits = integer('ANXIN_PROOF_OF_WORK_BITS', 13, 0, 24);
  const publicUrl = read('ANXIN_PUBLIC_URL') ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  try {
    const url = new URL(publicUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
  } catch {
    problems.push({ setting: 'ANXIN_PUBLIC_URL', problem: `must be an http(s) URL (got "${publicUrl}")` });
  }

  const quickExitUrl = read('ANXIN_QUICK_EXIT_URL') ?? 'https://www.weather.com.cn/';
  try {
    const url = new URL(quickExitUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
  } catch {
    problems.push({
      setting: 'ANXIN_QUICK_EXIT_URL',
      problem: `must be an http(s) URL (got "${quickExitUrl}")`,
    });
  }

  const evidence = evidenceSettings(read, integer, problems, nodeEnv, dataDir);
  const timeouts: TimeoutConfig = {
    bodyIdleMs: integer('ANXIN_BODY_IDLE_TIMEOUT_SECONDS', 30, 1, 3600) * 1000,
    requestMs: integer('ANXIN_REQUEST_TIMEOUT_SECONDS', 600, 1, 86_400) * 1000,
    keepAliveMs: integer('ANXIN_KEEP_ALIVE_TIMEOUT_SECONDS', 72, 1, 3600) * 1000,
  };
  const webhookPrefixes = (read('ANXIN_WEBHOOK_URL_PREFIXES') ?? 'https://')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const prefix of webhookPrefixes) {
    if (!/^https?:\/\/./.test(prefix) && prefix !== 'https://')
      problems.push({
        setting: 'ANXIN_WEBHOOK_URL_PREFIXES',
        problem: `each prefix must start with http:// or https:// (got "${prefix}")`,
      });
  }
  const webhooks = {
    urlPrefixes: webhookPrefixes,
    retryBaseMs: integer('ANXIN_WEBHOOK_RETRY_BASE_MS', 30_000, 10, 3_600_000),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    env: nodeEnv,
    host,
    port,
    databaseUrl,
    dataDir,
    embeddedPgPort,
    masterKey,
    logLevel,
    demoData,
    trustProxy,
    publicUrl: publicUrl.replace(/\/$/, ''),
    quickExitUrl,
    evidence,
    rateLimitPerMinute,
    proofOfWorkBits,
    timeouts,
    webhooks,
  });
}

/** ANXIN_EVIDENCE_* / ANXIN_S3_* / ANXIN_CLAMD: the evidence vault (see docs/evidence-vault.md). */
function evidenceSettings(
  read: (name: string) => string | undefined,
  integer: (name: string, fallback: number, min: number, max: number) => number,
  problems: { setting: string; problem: string }[],
  nodeEnv: Environment,
  dataDir: string,
): EvidenceConfig {
  const storeName = read('ANXIN_EVIDENCE_STORE') ?? 'fs';
  let store: 'fs' | 's3' = 'fs';
  if (storeName === 'fs' || storeName === 's3') store = storeName;
  else
    problems.push({ setting: 'ANXIN_EVIDENCE_STORE', problem: `must be one of fs, s3 (got "${storeName}")` });
  let s3: EvidenceConfig['s3'];
  if (store === 's3') {
    const endpoint = read('ANXIN_S3_ENDPOINT');
    if (endpoint !== undefined && !/^https?:\/\/[^/]+\/?$/.test(endpoint)) {
      problems.push({
        setting: 'ANXIN_S3_ENDPOINT',
        problem: `must be an http(s) origin such as https://s3.example.org (got "${endpoint}")`,
      });
    }
    const bucket = read('ANXIN_S3_BUCKET');
    if (bucket === undefined || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      problems.push({
        setting: 'ANXIN_S3_BUCKET',
        problem:
          'is required with ANXIN_EVIDENCE_STORE=s3 and must be a bucket name (3–63 of a-z, 0-9, ".", "-")',
      });
    }
    const accessKeyId = read('ANXIN_S3_ACCESS_KEY_ID');
    const secretAccessKey = read('ANXIN_S3_SECRET_ACCESS_KEY');
    if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
      problems.push({
        setting: accessKeyId === undefined ? 'ANXIN_S3_ACCESS_KEY_ID' : 'ANXIN_S3_SECRET_ACCESS_KEY',
        problem: 'ANXIN_S3_ACCESS_KEY_ID and ANXIN_S3_SECRET_ACCESS_KEY must be set together',
      });
    }
    const region = read('ANXIN_S3_REGION') ?? 'us-east-1';
    s3 = {
      endpoint: endpoint?.replace(/\/$/, ''),
      bucket: bucket ?? '',
      region,
      accessKeyId,
      secretAccessKey,
    };
  }
  const MiB = 1024 * 1024;
  const maxFileMb = integer('ANXIN_EVIDENCE_MAX_FILE_MB', 2000, 1, 2047);
  const maxOwnerMb = integer('ANXIN_EVIDENCE_MAX_OWNER_MB', 10240, 1, 10_000_000);
  if (maxOwnerMb < maxFileMb) {
    problems.push({
      setting: 'ANXIN_EVIDENCE_MAX_OWNER_MB',
      problem: `must be at least ANXIN_EVIDENCE_MAX_FILE_MB (${maxFileMb})`,
    });
  }
  const clamdValue =
    read('ANXIN_CLAMD') ??
    (nodeEnv !== 'production' && existsSync(CLAMD_BINARY) ? 'embedded' : 'unix:/run/clamav/clamd.ctl');
  let clamd: EvidenceConfig['clamd'] = { kind: 'none' };
  const tcp = /^tcp:\/\/([\w.-]+|\[[\d:a-f]+\]):(\d{1,5})$/i.exec(clamdValue);
  if (clamdValue === 'embedded') {
    if (nodeEnv === 'production')
      problems.push({
        setting: 'ANXIN_CLAMD',
        problem: 'cannot be "embedded" in production: run clamd as a service and give its address',
      });
    const dir = path.join(dataDir, 'clamd');
    clamd = { kind: 'embedded', dir, path: path.join(dir, 'clamd.sock'), databaseDir: CLAMD_SYSTEM_DATABASE };
  } else if (clamdValue === 'none') {
    if (nodeEnv === 'production') {
      problems.push({
        setting: 'ANXIN_CLAMD',
        problem: 'cannot be "none" in production: every evidence file must be scanned',
      });
    }
  } else if (clamdValue.startsWith('unix:/')) {
    clamd = { kind: 'unix', path: clamdValue.slice('unix:'.length) };
  } else if (tcp && Number(tcp[2]) > 0 && Number(tcp[2]) < 65536) {
    clamd = { kind: 'tcp', host: (tcp[1] ?? '').replace(/^\[|\]$/g, ''), port: Number(tcp[2]) };
  } else {
    problems.push({
      setting: 'ANXIN_CLAMD',
      problem: `must be unix:/path/to/clamd.sock, tcp://host:port, embedded or none (got "${clamdValue}")`,
    });
  }
  return {
    store,
    dir: path.join(dataDir, 'evidence'),
    s3,
    maxFileBytes: maxFileMb * MiB,
    maxOwnerBytes: maxOwnerMb * MiB,
    clamd,
  };
}

function masterKeyProblem(value: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value))
    return 'must be base64 (32 random bytes: `openssl rand -base64 32`)';
  if (Buffer.from(value, 'base64').length !== 32)
    return 'must decode to exactly 32 bytes (`openssl rand -base64 32`)';
  return undefined;
}

/**
 * The master key wraps every data key. Outside production, when none is configured, one is generated
 * into the data directory on first start (mode 0600) and reused afterwards.
 */
export async function resolveMasterKey(config: Config): Promise<Buffer> {
  if (config.masterKey !== undefined) return Buffer.from(config.masterKey, 'base64');
  const file = path.join(config.dataDir, 'master.key');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    const problem = masterKeyProblem(stored);
    if (problem)
      throw new ConfigError([
        { setting: 'ANXIN_MASTER_KEY', problem: `the generated key in ${file} ${problem}` },
      ]);
    return Buffer.from(stored, 'base64');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(config.dataDir, { recursive: true });
  const key = randomBytes(32);
  // 'wx' fails if another process created the file in the meantime, so two first starts cannot disagree.
  try {
    await writeFile(file, key.toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return resolveMasterKey(config);
    throw error;
  }
  await chmod(file, 0o600);
  return key;
}

/**
 * A real S3 API for tests: Debian's OpenStack Swift with s3api, started by scripts/start-swift-s3.sh on free
 * loopback ports in a temporary directory, with a fresh bucket. Fails with the install command when Swift
 * is missing: S3 tests never silently skip.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

export interface TestSwift {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** ANXIN_* settings for an app on this store. */
  env: Record<string, string>;
  client: S3Client;
  stop(): Promise<void>;
}

export async function startSwift(): Promise<TestSwift> {
  const installed = await run('sh', ['-c', 'command -v swift-proxy-server && command -v memcached']).then(
    () => true,
    () => false,
  );
  if (!installed && process.getuid?.() !== 0) {
    throw new Error(
      'Swift is not installed. Run:  apt-get install -y swift swift-proxy swift-account swift-container swift-object memcached',
    );
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'anxin-swift-'));
  let stdout: string;
  try {
    ({ stdout } = await run('bash', [path.join(root, 'scripts/start-swift-s3.sh'), dir], {
      timeout: 180_000,
    }));
  } catch (error) {
    await stopProcesses(dir);
    throw new Error(
      `Swift did not start (scripts/start-swift-s3.sh ${dir}): ${(error as Error).message}\n` +
        'Install it with:  apt-get install -y swift swift-proxy swift-account swift-container swift-object memcached',
      { cause: error },
    );
  }
  const endpoint = /ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
  if (!endpoint) throw new Error(`scripts/start-swift-s3.sh printed no endpoint: ${stdout}`);
  const bucket = `anxin-test-${randomBytes(4).toString('hex')}`;
  const credentials = { accessKeyId: 'test:tester', secretAccessKey: 'testing' };
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  // The proxy answers health checks a moment before the account and container servers are ready.
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      break;
    } catch (error) {
      if (attempt >= 40) {
        client.destroy();
        await stopProcesses(dir);
        throw new Error(`Swift started but the bucket could not be created: ${(error as Error).message}`, {
          cause: error,
        });
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return {
    endpoint,
    bucket,
    ...credentials,
    client,
    env: {
      ANXIN_EVIDENCE_STORE: 's3',
      ANXIN_S3_ENDPOINT: endpoint,
      ANXIN_S3_BUCKET: bucket,
      ANXIN_S3_ACCESS_KEY_ID: credentials.accessKeyId,
      ANXIN_S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ANXIN_S3_REGION: 'us-east-1',
    },
    stop: async () => {
      client.destroy();
      await stopProcesses(dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function stopProcesses(dir: string): Promise<void> {
  const runDir = path.join(dir, 'run');
  const files = await readdir(runDir).catch(() => [] as string[]);
  for (const file of files.filter((f) => f.endsWith('.pid'))) {
    const pid = Number((await readFile(path.join(runDir, file), 'utf8')).trim());
    try {
      // Swift servers fork workers: signal the process group when there is one, else the process.
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await new Promise((r) => setTimeout(r, 500));
}

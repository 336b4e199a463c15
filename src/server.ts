/** Starts Anxin: `npm start`. Fails fast on bad configuration; shuts down gracefully on SIGINT/SIGTERM. */
import { ConfigError, loadConfig } from './config.ts';
import { startPlatform } from './runtime.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Anxin cannot start.\n${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const platform = await startPlatform(config);
  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    platform.app.log.info({ signal }, 'shutting down');
    // The drain (10 s at most) and the job workers' graceful stop (10 s at most) come first; then the database.
    const force = setTimeout(() => {
      platform.app.log.error('shutdown took over 30 s; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    platform.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        platform.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Anxin failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

/** Entry point: listen and shut down; everything else is in server.ts and app.ts. */
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './lib/logger.ts';
import { startServer } from './server.ts';

const bootLogger = createLogger('info');

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const running = await startServer({ config, logger });
  logger.info({ url: running.url, env: config.appEnv, localMode: config.localMode }, 'listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    bootLogger.fatal({ variable: error.variable }, error.message);
  } else {
    bootLogger.fatal({ err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, 'startup failed');
  }
  process.exit(1);
});

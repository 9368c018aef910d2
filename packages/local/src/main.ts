/**
 * `npm start`: runs the local runtime until SIGINT or SIGTERM. Start-up problems (a port in use,
 * an unwritable data directory, bad settings) print one line and exit 1.
 */
import { startLocalRuntime } from './runtime.js';
import type { LocalRuntime } from './runtime.js';
import { readSettings } from './settings.js';

function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`cbm-local: ${message.split('\n')[0] ?? message}`);
  process.exit(1);
}

export function banner(runtime: LocalRuntime): string {
  return [
    `CBM Ledger is running at ${runtime.url}`,
    `  site      ${runtime.siteUrl} (the public register, verified in your browser)`,
    `  origin    ${runtime.origin}`,
    `  log vkey  ${runtime.logVkey}`,
    `  data      ${runtime.dataDir}`,
    `  operator  operator:local (key file ${runtime.operatorKeyPath})`,
    `  API       ${runtime.url}/v1/openapi.json`,
    'Press Ctrl+C to stop.',
  ].join('\n');
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // The SDK's Node-version notice is noise for a local developer tool.
  env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  let runtime: LocalRuntime;
  try {
    runtime = await startLocalRuntime(readSettings(env));
  } catch (e) {
    fail(e);
  }
  console.log(banner(runtime));

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.error(`cbm-local: ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.log(`cbm-local: ${signal}, stopping (finishing requests and the integration batch)`);
    runtime.close().then(
      () => process.exit(0),
      (e: unknown) => fail(e),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  void runtime.failed.then((reason) => {
    if (!stopping) fail(new Error(reason));
  });
}

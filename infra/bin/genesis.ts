#!/usr/bin/env node
/**
 * Signs (and optionally submits) the genesis entry of a deployed ledger. See infra/DEPLOY.md.
 *
 *   aws secretsmanager get-secret-value --secret-id "$OPERATOR_KEY_SECRET" \
 *       --query SecretString --output text |
 *     node infra/dist/bin/genesis.js --origin "$ORIGIN" --log-vkey "$LOG_VKEY" \
 *       --operator-key - --server "$API_URL"
 *
 * Without --server the envelope is printed. The operator key is read from a file or stdin
 * (`-`) and never written anywhere.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createDeployedGenesis } from '../src/genesis.js';

const USAGE =
  'usage: genesis --origin ORIGIN --log-vkey VKEY --operator-key FILE|- [--operator-name NAME] [--server API_URL] [--wait SECONDS]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      origin: { type: 'string' },
      'log-vkey': { type: 'string' },
      'operator-key': { type: 'string' },
      'operator-name': { type: 'string' },
      server: { type: 'string' },
      wait: { type: 'string', default: '20' },
    },
    strict: true,
  });
  const origin = values.origin;
  const logVkey = values['log-vkey'];
  const keyPath = values['operator-key'];
  if (origin === undefined || logVkey === undefined || keyPath === undefined) {
    console.error(USAGE);
    return 2;
  }
  const keyText = readFileSync(keyPath === '-' ? 0 : keyPath, 'utf8');
  const envelope = createDeployedGenesis({
    origin,
    logVkey,
    operatorKeyFile: keyText,
    now: Date.now(),
    ...(values['operator-name'] === undefined ? {} : { operatorName: values['operator-name'] }),
  });
  const body = JSON.stringify(envelope);
  if (values.server === undefined) {
    console.log(body);
    return 0;
  }
  const url = new URL(
    'v1/statements',
    values.server.endsWith('/') ? values.server : `${values.server}/`,
  );
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', prefer: `wait=${values.wait}` },
    body,
  });
  console.log(`${res.status} ${await res.text()}`);
  return res.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);

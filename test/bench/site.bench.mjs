// npm run bench:site — the public site on a log of BENCH_ENTRIES (default 10,000) entries in a
// fresh local runtime: time from navigation to "verified" in Debian's chromium and the bytes
// transferred, beside the same run's time to fetch the same JSON (the same URLs, uncached)
// without verifying. Prints figures; asserts nothing.
/* global document, fetch -- the functions handed to page.evaluate run in the browser */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { LedgerClient, submitStatement } from '@cbm-ledger/client';
import { exampleBody, generateKeyFile } from '@cbm-ledger/protocol';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { readSettings, startLocalRuntime } = await import('@cbm-ledger/local');
const { readKeyFile } = await import('@cbm-ledger/client/node');

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 10_000);
const ISSUERS = 16;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const dir = mkdtempSync(join(tmpdir(), 'cbm-bench-site-'));
const quiet = { error: console.error, warn: () => {}, info: () => {}, debug: () => {} };
const runtime = await startLocalRuntime(
  readSettings({ PORT: '0', CBM_DATA_DIR: join(dir, 'ledger') }),
  quiet,
);
const client = new LedgerClient({ server: runtime.url });
let browser;
try {
  const operator = await readKeyFile(runtime.operatorKeyPath);
  const keys = [];
  for (let i = 0; i < ISSUERS; i++) {
    const id = `state:B${String.fromCharCode(65 + Math.floor(i / 26), 65 + (i % 26))}`;
    const key = generateKeyFile(id);
    keys.push(key);
    await submitStatement(client, {
      key: operator,
      draft: {
        type: 'party.register',
        body: {
          party: { id, name: `Bench state ${i}`, kind: 'state' },
          keys: [{ keyid: key.keyid, publicKey: key.publicKey }],
        },
      },
      waitSeconds: 10,
    });
  }
  const seeding = performance.now();
  const per = Math.ceil((ENTRIES - 1 - ISSUERS) / ISSUERS);
  await Promise.all(
    keys.map(async (key, i) => {
      for (let n = 0; n < per; n++) {
        const body = exampleBody('datashare.alert');
        body.alert.identifier = `B${i}-${n}`;
        body.assessedAt = new Date(Date.now() - 3_600_000).toISOString();
        await submitStatement(client, {
          key,
          draft: { type: 'datashare.alert', body },
          waitSeconds: n === per - 1 ? 20 : 0,
        });
      }
    }),
  );
  let size = 0;
  for (let i = 0; i < 120; i++) {
    size = Number((await client.checkpoint()).split('\n')[1]);
    if (size >= 1 + ISSUERS + per * ISSUERS) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(
    `seeded ${size} entries in ${((performance.now() - seeding) / 1000).toFixed(1)} s (not part of the figures)`,
  );

  const profile = join(dir, 'chromium');
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${profile}`,
    ],
  });
  const page = await browser.newPage();
  const started = performance.now();
  await page.goto(`${runtime.url}/#/en/`);
  await page.waitForFunction(
    () =>
      document.querySelector('[data-verification]')?.getAttribute('data-verification') !==
        'checking' && document.querySelector('[data-verification]') !== null,
    { timeout: 600_000, polling: 50 },
  );
  const toVerdict = performance.now() - started;
  // The compliance summary (not part of the verdict) may still be loading: let it finish, so
  // the bytes count it and the runtime is not closed under it.
  await page.waitForNetworkIdle({ idleTime: 500, timeout: 600_000 });
  const verdict = await page.$eval('[data-verification]', (e) =>
    e.getAttribute('data-verification'),
  );
  const { bytes, urls } = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    return {
      bytes: (nav?.transferSize ?? 0) + res.reduce((a, r) => a + r.transferSize, 0),
      urls: res.map((r) => r.name).filter((u) => u.includes('/public/v1/')),
    };
  });
  const plain = await page.evaluate(async (list) => {
    const t0 = performance.now();
    await Promise.all(list.map((u) => fetch(u, { cache: 'no-store' }).then((r) => r.text())));
    return performance.now() - t0;
  }, urls);
  console.log(`site on a log of ${size} entries (verdict: ${verdict})`);
  console.log(`  navigation to "${verdict}"     ${toVerdict.toFixed(0)} ms`);
  console.log(
    `  bytes transferred           ${(bytes / 1024).toFixed(0)} KiB in ${urls.length} API requests + the page`,
  );
  console.log(
    `  same JSON fetched, no checks ${plain.toFixed(0)} ms (the same ${urls.length} URLs, uncached, in parallel)`,
  );
} finally {
  await browser?.close();
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The public site in a real browser (Debian's chromium, driven by puppeteer-core; nothing
 * downloads a browser), against a real local runtime seeded with a scenario: every page type
 * loads and shows "verified", shows no restricted content, switches to Arabic right-to-left,
 * passes axe-core; a tampering proxy makes the page show the failure and never "verified".
 * Screenshots go to packages/site/test-output/screenshots (git-ignored).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import puppeteer from 'puppeteer-core';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { currentReceipt } from '@cbm-ledger/client';
import { CANARIES, startScenario } from './support/scenario.js';
import type { Scenario } from './support/scenario.js';
import { startTamperProxy } from './support/tamper-proxy.js';
import type { TamperProxy } from './support/tamper-proxy.js';

const SITE = fileURLToPath(new URL('..', import.meta.url));
const SHOTS = join(SITE, 'test-output', 'screenshots');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let scenario: Scenario;
let proxy: TamperProxy;
let browser: Browser;
let profile: string;

beforeAll(async () => {
  // Not a skip: without the browser these tests cannot say anything, so they fail, loudly.
  if (!existsSync(CHROMIUM))
    throw new Error(
      `chromium not found at ${CHROMIUM}: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH; the site's browser tests need it`,
    );
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: SITE, stdio: 'inherit' });
  mkdirSync(SHOTS, { recursive: true });
  scenario = await startScenario();
  proxy = await startTamperProxy(scenario.runtime.url);
  profile = mkdtempSync(join(tmpdir(), 'cbm-site-chromium-'));
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
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await scenario?.close();
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
});

/** Opens a page in a fresh context (its own localStorage) and records every request's origin. */
async function open(base: string, hash: string): Promise<{ page: Page; origins: Set<string> }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const origins = new Set<string>();
  page.on('request', (r) => {
    origins.add(new URL(r.url()).origin);
  });
  await page.goto(`${base}/${hash}`, { waitUntil: 'networkidle0' });
  return { page, origins };
}

/** Waits until the page has decided; returns its verdict. */
async function verdict(page: Page): Promise<string> {
  await page.waitForFunction(
    () => {
      const el = document.querySelector('[data-verification]');
      return el !== null && el.getAttribute('data-verification') !== 'checking';
    },
    { timeout: 30_000 },
  );
  return page.$eval('[data-verification]', (el) => el.getAttribute('data-verification') ?? '');
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> };
      }
    ).axe;
    const r = await axe.run();
    return r.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
  return result;
}

const pages = (): [string, string][] => [
  ['register', ''],
  ['entry', `entry/${scenario.index.badr}`],
  ['restricted-entry', `entry/${scenario.index.restricted}`],
  ['state', 'state/state:EGY'],
  ['measure', 'measure/mena-csbm'],
  ['receipt', 'receipt'],
];

describe('the public site in chromium', () => {
  for (const lang of ['en', 'ar'] as const) {
    it(`every page type verifies, shows no restricted content and passes axe (${lang})`, async () => {
      for (const [name, path] of pages()) {
        const { page, origins } = await open(scenario.runtime.url, `#/${lang}/${path}`);
        try {
          expect(await verdict(page), `${name} ${lang}`).toBe('verified');
          // Every entry shown has its own proven inclusion, none failed or pending.
          const badges = await page.$$eval('[data-inclusion]', (els) =>
            els.map((e) => e.getAttribute('data-inclusion')),
          );
          if (name !== 'receipt') {
            expect(badges.length, name).toBeGreaterThan(0);
            expect(new Set(badges), name).toEqual(new Set(['verified']));
          }
          const html = await page.content();
          for (const canary of CANARIES) expect(html, `${name} ${lang}`).not.toContain(canary);
          expect([...origins], 'same origin only').toEqual([scenario.runtime.url]);
          const dir = await page.$eval('html', (h) => [
            h.getAttribute('lang'),
            h.getAttribute('dir'),
          ]);
          expect(dir).toEqual(lang === 'ar' ? ['ar', 'rtl'] : ['en', 'ltr']);
          await page.screenshot({ path: join(SHOTS, `${name}-${lang}.png`), fullPage: true });
          expect(await axeViolations(page), `${name} ${lang}`).toEqual([]);
        } finally {
          await page.browserContext().close();
        }
      }
    });
  }

  it('reads like a register: plain language, registered names, stubs for what is not public', async () => {
    const { page } = await open(scenario.runtime.url, '#/en/');
    try {
      expect(await verdict(page)).toBe('verified');
      const text = await page.$eval('main', (m) => m.textContent ?? '');
      expect(text).toContain('Arab Republic of Egypt notified the exercise BADR: 15,000 troops');
      expect(text).toContain(
        'UN observation mission reported on Arab Republic of Egypt’s exercise BADR',
      );
      expect(text).toContain(
        'State of Israel filed an early-warning alert — restricted: only its hash is public.',
      );
      expect(text).toContain(
        'Hashemite Kingdom of Jordan filed an early-warning alert — for the participating states only',
      );
      expect(text).not.toContain('observer.report by');
      // The compliance chart: Egypt's late notification is a bar of its own.
      expect(
        await page.$$eval('svg[data-chart="compliance"] [data-party="state:EGY"] rect', (els) =>
          els.map((e) => e.getAttribute('data-outcome')),
        ),
      ).toEqual(expect.arrayContaining(['late', 'compliant']));
      // Arabic digits and right-to-left in the Arabic view of the same permalink.
      await page.click('[data-lang-switch]');
      await page.waitForFunction(() => document.documentElement.dir === 'rtl');
      expect(page.url()).toContain('#/ar/');
      expect(await verdict(page)).toBe('verified');
      const ar = await page.$eval('main', (m) => m.textContent ?? '');
      expect(ar).toContain('أخطر Arab Republic of Egypt بالمناورة BADR: ١٥٬٠٠٠ جندي');
    } finally {
      await page.browserContext().close();
    }
  });

  it('shows when an entry was accepted, promised and recorded, and that the promise held', async () => {
    const { page } = await open(scenario.runtime.url, `#/en/entry/${scenario.index.badr}`);
    try {
      expect(await verdict(page)).toBe('verified');
      const text = await page.$eval('main', (m) => m.textContent ?? '');
      expect(text).toContain('Accepted');
      expect(text).toContain('Promised by');
      expect(await page.$eval('[data-promise]', (e) => e.getAttribute('data-promise'))).toBe(
        'kept',
      );
    } finally {
      await page.browserContext().close();
    }
  });

  it('shows seq continuity on the state page and the timeline chart on the measure page', async () => {
    const state = await open(scenario.runtime.url, '#/en/state/state:JOR');
    try {
      expect(await verdict(state.page)).toBe('verified');
      expect(await state.page.$eval('[data-chain]', (e) => e.getAttribute('data-chain'))).toBe(
        'continuous',
      );
    } finally {
      await state.page.browserContext().close();
    }
    const measure = await open(scenario.runtime.url, '#/en/measure/mena-csbm');
    try {
      expect(await verdict(measure.page)).toBe('verified');
      await measure.page.waitForSelector('svg[data-chart="timeline"]');
      const kinds = await measure.page.$$eval('svg [data-event]', (els) =>
        els.map((e) => e.getAttribute('data-event')),
      );
      expect(kinds).toEqual(expect.arrayContaining(['in-force', 'review-due', 'sunset']));
    } finally {
      await measure.page.browserContext().close();
    }
  });

  it('verifies a dropped receipt offline, and says why a tampered one does not verify', async () => {
    const { leaf } = (await fetch(
      `${scenario.runtime.url}/public/v1/entries/${scenario.index.badr}`,
    ).then((r) => r.json())) as { leaf: { statement: string } };
    const receipt = await currentReceipt(scenario.client, leaf.statement);
    if (receipt === undefined) throw new Error('no receipt for an integrated statement');
    const dir = mkdtempSync(join(tmpdir(), 'cbm-site-receipt-'));
    const good = join(dir, 'badr.receipt.json');
    const bad = join(dir, 'tampered.receipt.json');
    writeFileSync(good, JSON.stringify(receipt));
    writeFileSync(
      bad,
      JSON.stringify({
        ...receipt,
        leaf: { ...receipt.leaf, issuer: 'state:JOR' },
      }),
    );
    const { page, origins } = await open(scenario.runtime.url, '#/en/receipt');
    try {
      expect(await verdict(page)).toBe('verified');
      const requests = origins.size;
      const input = (await page.$('#receipt-file')) as ElementHandle<HTMLInputElement>;
      await input.uploadFile(good);
      await page.waitForSelector('[data-receipt]');
      expect(await page.$eval('[data-receipt]', (e) => e.getAttribute('data-receipt'))).toBe(
        'verified',
      );
      expect(await page.$eval('[data-receipt]', (e) => e.textContent)).toContain(
        `Yes: entry ${scenario.index.badr}`,
      );
      await page.screenshot({ path: join(SHOTS, 'receipt-verified-en.png'), fullPage: true });
      await input.uploadFile(bad);
      await page.waitForSelector('[data-receipt="failed"]');
      expect(await page.$eval('[data-receipt]', (e) => e.textContent)).toContain(
        "No, this receipt does not verify: the proof's leaf hash is not the hash of the receipt's leaf",
      );
      expect(origins.size).toBe(requests);
    } finally {
      await page.browserContext().close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('through a tampering proxy', () => {
    const failsVisibly = async (page: Page, expected: RegExp): Promise<void> => {
      expect(await verdict(page)).toBe('failed');
      expect(await page.$$('[data-verification="verified"]')).toHaveLength(0);
      const failures = await page.$$eval('[data-failure]', (els) =>
        els.map((e) => e.textContent ?? ''),
      );
      expect(failures.join('\n')).toMatch(expected);
      // Give late responses a moment: the verdict must not flip to verified.
      await new Promise((r) => setTimeout(r, 500));
      expect(await verdict(page)).toBe('failed');
    };

    it('a flipped inclusion-proof hash: the entry and the page show the failure', async () => {
      proxy.mode = 'flip-proof';
      const { page } = await open(proxy.url, `#/en/entry/${scenario.index.badr}`);
      try {
        await failsVisibly(
          page,
          new RegExp(`inclusion proof of entry ${scenario.index.badr} does not verify`),
        );
        expect(await page.$$eval('[data-inclusion="verified"]', (e) => e.length)).toBe(0);
        // Its content is withheld, not shown beside the failure.
        expect(await page.$eval('main', (m) => m.textContent ?? '')).not.toContain(
          'notified the exercise BADR',
        );
        // Nor is a judgement on its times: "the promise held" would vouch for an unproven leaf.
        expect(await page.$$('[data-promise]')).toHaveLength(0);
        await page.screenshot({ path: join(SHOTS, 'tampered-proof-en.png'), fullPage: true });
      } finally {
        await page.browserContext().close();
      }
    });

    it('a checkpoint signed by another key: nothing is shown as verified', async () => {
      proxy.mode = 'swap-checkpoint';
      const { page } = await open(proxy.url, '#/en/');
      try {
        await failsVisibly(page, /checkpoint signature does not verify against the pinned log key/);
        expect(await page.$$('[data-inclusion]')).toHaveLength(0);
        await page.screenshot({ path: join(SHOTS, 'tampered-checkpoint-en.png'), fullPage: true });
      } finally {
        await page.browserContext().close();
      }
    });

    it('a rolled-back smaller tree after a larger one was seen: rollback is reported', async () => {
      proxy.mode = 'pass';
      const { page } = await open(proxy.url, '#/en/');
      try {
        expect(await verdict(page)).toBe('verified');
        proxy.mode = 'rollback';
        proxy.rollbackTo = 5;
        await page.reload({ waitUntil: 'networkidle0' });
        await failsVisibly(
          page,
          /rolled back: this browser verified a tree of \d+ entries before, the server now shows 5/,
        );
        await page.screenshot({ path: join(SHOTS, 'tampered-rollback-en.png'), fullPage: true });
      } finally {
        await page.browserContext().close();
        proxy.mode = 'pass';
      }
    });
  });
});

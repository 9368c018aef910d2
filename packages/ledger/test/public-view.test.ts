import { describe, expect, it } from 'vitest';
import { fromBase64, utf8Decode } from '@cbm-ledger/protocol';
import { FEED_SCAN_LIMIT, LedgerError, PublicLedger, readOnlyStores } from '@cbm-ledger/ledger';
import { Harness, infoExchangeBody } from '@cbm-ledger/ledger/testing';

async function ledger(): Promise<{ h: Harness; view: PublicLedger }> {
  const h = new Harness();
  await h.bootstrap(['state:JOR', 'state:ISR']);
  const view = new PublicLedger({
    ...h.memory,
    clock: h.clock,
    config: h.config,
    logVkey: h.signer.vkey,
    publicBaseUrl: 'https://ledger.example/',
  });
  return { h, view };
}

const WRITES = [
  'accept',
  'link',
  'markIntegrated',
  'writeLeaves',
  'writeNodes',
  'commitHead',
  'putCheckpoint',
  'putCosignature',
  'write',
  'pending',
];

describe('the public view', () => {
  it('holds stores through which no write can be reached, not even by a cast', async () => {
    const { h } = await ledger();
    const stores = readOnlyStores(h.memory);
    for (const store of Object.values(stores) as object[]) {
      for (const name of WRITES) expect(name in store, name).toBe(false);
      expect(Object.isFrozen(store)).toBe(true);
    }
    expect(Object.keys(stores).sort()).toEqual(['log', 'registry', 'statements']);
  });

  it('shows public statements with their envelope and every other entry as its leaf only', async () => {
    const { h, view } = await ledger();
    const start = (await h.memory.log.readHead())!.size;
    await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2026));
    await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2027), {
      extra: { visibility: 'participants' },
    });
    await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2028), {
      extra: { visibility: 'restricted', audience: ['state:ISR'] },
    });
    await h.integrate();
    const page = await view.entries(start, 3);
    expect(page.final).toBe(true);
    expect(page.value.start).toBe(start);
    expect(page.value.next).toBe(start + 3);
    expect(page.value.entries.map((e) => [e.leaf.visibility, e.envelope !== undefined])).toEqual([
      ['public', true],
      ['participants', false],
      ['restricted', false],
    ]);
    expect((await view.entry(start + 2)).envelope).toBeUndefined();
    expect((await view.entry(start)).envelope).toBeDefined();
    // A page reaching beyond the head is open: it will change.
    const open = await view.entries(start, 10);
    expect(open.final).toBe(false);
    expect(open.value.entries).toHaveLength(3);
    expect(open.value.next).toBe(start + 3);
  });

  it('serves a JSON Feed of public statements, newest first, page by page', async () => {
    const { h, view } = await ledger();
    for (let year = 2001; year <= 2007; year++) {
      await h.issue('state:ISR', 'info.exchange', infoExchangeBody(year), {
        extra: year % 2 === 0 ? { visibility: 'participants' } : {},
      });
    }
    await h.integrate();
    const size = (await h.memory.log.readHead())!.size;
    const first = await view.feed(undefined, 2);
    expect(first.final).toBe(false);
    expect(first.value.version).toBe('https://jsonfeed.org/version/1.1');
    expect(first.value.feed_url).toBe('https://ledger.example/public/v1/feed.json');
    const years: number[] = [];
    let page = first.value;
    for (;;) {
      for (const item of page.items) {
        const statement = JSON.parse(item.content_text) as {
          body: { year?: number };
          visibility: string;
        };
        expect(statement.visibility).toBe('public');
        expect(item.content_text).toBe(utf8Decode(fromBase64(item._cbm.envelope.payload)));
        expect(item.url).toBe(`https://ledger.example/public/v1/entries/${item._cbm.index}`);
        if (statement.body.year !== undefined) years.push(statement.body.year);
      }
      if (page.next_url === undefined) break;
      const before = Number(new URL(page.next_url).searchParams.get('before'));
      expect(before).toBeLessThan(size);
      const next = await view.feed(before, 2);
      expect(next.final).toBe(true);
      page = next.value;
    }
    // Every public statement exactly once, newest first; participants-only ones never.
    expect(years).toEqual([2007, 2005, 2003, 2001]);
  });

  it('reads the log in pages and looks through a bounded number of entries per feed page', async () => {
    const { h, view } = await ledger();
    for (let year = 2001; year <= 2003; year++) {
      await h.issue('state:ISR', 'info.exchange', infoExchangeBody(year), {
        extra: year === 2002 ? { visibility: 'restricted', audience: ['state:JOR'] } : {},
      });
    }
    await h.integrate();
    const size = (await h.memory.log.readHead())!.size;
    const all = (await view.feed(undefined, 100)).value;
    const paged = new PublicLedger({
      ...h.memory,
      clock: h.clock,
      config: { ...h.config, pageLimit: 2 },
      logVkey: h.signer.vkey,
      publicBaseUrl: 'https://ledger.example',
    });
    expect((await paged.feed(undefined, 100)).value).toEqual(all);
    const bounded = new PublicLedger({
      ...h.memory,
      clock: h.clock,
      config: h.config,
      logVkey: h.signer.vkey,
      feedScanLimit: 2,
    });
    const first = (await bounded.feed(undefined, 100)).value;
    // The two newest entries: 2003 (public) and 2002 (restricted, skipped); then it stops.
    expect(first.items.map((i) => i._cbm.index)).toEqual([size - 1]);
    expect(first.next_url).toBe(`/public/v1/feed.json?before=${size - 2}&limit=100`);
    expect(FEED_SCAN_LIMIT).toBe(5000);
  });

  it('refuses a feed position beyond the log and a limit below one', async () => {
    const { h, view } = await ledger();
    const size = (await h.memory.log.readHead())!.size;
    await expect(view.feed(size + 1, 10)).rejects.toThrow(LedgerError);
    await expect(view.feed(undefined, 0)).rejects.toThrow(LedgerError);
    expect((await view.feed(size, 10)).final).toBe(true);
  });

  it('marks a compliance summary final only when pinned to a tree size and a time', async () => {
    const { h, view } = await ledger();
    const size = (await h.memory.log.readHead())!.size;
    const at = new Date(h.clock.now()).toISOString();
    expect((await view.complianceSummary({})).final).toBe(false);
    expect((await view.complianceSummary({ at })).final).toBe(false);
    const pinned = await view.complianceSummary({ at, treeSize: size });
    expect(pinned.final).toBe(true);
    expect(pinned.value.treeSize).toBe(size);
  });
});

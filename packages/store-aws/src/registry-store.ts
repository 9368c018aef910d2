/** RegistryStore over the ledger table (layout.ts): the one registry snapshot item. */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { RegistrySnapshot, RegistryStore } from '@cbm-ledger/ledger';
import { B, N, S, getOptB, getS, type Item } from './attributes.js';
import type { LedgerTable } from './ledger-table.js';
import { absentOrAt, requireCount } from './ledger-table.js';

/** Registry snapshots larger than this are stored gzipped (item limit 400 KB). */
const REGISTRY_INLINE_MAX_BYTES = 256 * 1024;

const REGISTRY_KEY: Item = { pk: S('registry'), sk: S('snapshot') };

export class DynamoRegistryStore implements RegistryStore {
  constructor(private readonly table: LedgerTable) {}

  async read(): Promise<RegistrySnapshot | undefined> {
    const item = await this.table.get(REGISTRY_KEY, 'registry.read');
    if (item === undefined) return undefined;
    const zipped = getOptB(item, 'snapshotZ');
    const json =
      zipped === undefined ? getS(item, 'snapshot') : gunzipSync(zipped).toString('utf8');
    return JSON.parse(json) as RegistrySnapshot;
  }

  async write(snapshot: RegistrySnapshot, expectedAsOf: number | undefined): Promise<boolean> {
    requireCount(snapshot.asOf, 'asOf');
    const json = JSON.stringify(snapshot);
    const item: Item = { ...REGISTRY_KEY, asOf: N(snapshot.asOf) };
    if (Buffer.byteLength(json, 'utf8') <= REGISTRY_INLINE_MAX_BYTES) item['snapshot'] = S(json);
    else item['snapshotZ'] = B(gzipSync(json));
    const out = await this.table.put(
      item,
      'registry.write',
      absentOrAt('asOf', expectedAsOf, 'expected asOf'),
    );
    return out.ok;
  }
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBase64Url, toHex, utf8Encode } from '../src/bytes.js';
import { ErrorCode, ProtocolError } from '../src/errors.js';
import {
  COUNT_FIELDS,
  parseStatement,
  STATEMENT_TYPES,
  statementSigners,
  validateStatement,
} from '../src/statement/index.js';
import type { Statement, StatementType } from '../src/statement/index.js';
import { cloneStatement, payloadOf, validStatements } from '../src/testing.js';
import { schemaAccepts } from './fixtures/statement-schemas.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Segment = string | number;

const RUNS = 300;

/** Runs `fn`; returns the ProtocolError it threw, or undefined. Any other exception fails. */
function outcome(fn: () => unknown): ProtocolError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw new Error(`threw a non-ProtocolError: ${String(e)}`);
  }
}

// ---- arbitraries for valid statements, built from the fixtures --------------------------------

const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex);
const statementIdArb = hex64.map((h) => `sha256:${h}`);
const stateArb = fc.stringMatching(/^[A-Z]{3}$/).map((c) => `state:${c}`);
const slugArb = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/);
const partyArb = fc.oneof(
  stateArb,
  slugArb.map((s) => `observer:${s}`),
  slugArb.map((s) => `operator:${s}`),
);
// Printable text across scripts, including astral characters (paired surrogates).
const CHARS = Array.from('abcXYZ019 -_.,’éßçØ漢字한국어العربية😀🛰️');
const nameArb = fc.string({ unit: fc.constantFrom(...CHARS), minLength: 1, maxLength: 60 });
const textArb = fc.string({
  unit: fc.constantFrom(...CHARS, '\n', '\t'),
  minLength: 1,
  maxLength: 300,
});
const countArb = fc.nat({ max: 1_000_000_000 });
const DAY = 86_400_000;
const epochArb = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 0, 1) });
const iso = (ms: number): string => new Date(ms).toISOString();

function envelopeArb(type: StatementType): fc.Arbitrary<Partial<Statement>> {
  const registry = [
    'ledger.genesis',
    'party.register',
    'key.rotate',
    'key.revoke',
    'key.add',
    'witness.set',
    'party.recover',
    'recovery.veto',
  ].includes(type);
  const seqPrev =
    type === 'ledger.genesis'
      ? fc.constant({ seq: 1, prev: null })
      : fc.oneof(
          fc.constant({ seq: 1, prev: null }),
          fc.record({
            seq: fc.integer({ min: 2, max: Number.MAX_SAFE_INTEGER }),
            prev: statementIdArb,
          }),
        );
  const visibility = registry
    ? fc.constant({ visibility: 'public' as const })
    : fc.oneof(
        fc.constant({ visibility: 'public' as const }),
        fc.constant({ visibility: 'participants' as const }),
        fc.record({
          visibility: fc.constant('restricted' as const),
          audience: fc.uniqueArray(partyArb, { minLength: 1, maxLength: 5 }),
        }),
      );
  return fc
    .record(
      {
        seqPrev,
        visibility,
        nonce: fc.uint8Array({ minLength: 16, maxLength: 64 }).map(toBase64Url),
        issuedAt: epochArb.map(iso),
        refs: fc.uniqueArray(statementIdArb, { minLength: 1, maxLength: 4 }),
        evidence: fc.uniqueArray(
          fc.record(
            {
              sha256: hex64,
              size: fc.nat(),
              mediaType: fc.constantFrom('application/pdf', 'image/png', 'text/csv'),
              name: fc.stringMatching(/^[a-z0-9_-]{1,20}\.(pdf|png|csv)$/),
            },
            { requiredKeys: ['sha256', 'size', 'mediaType'] },
          ),
          { minLength: 1, maxLength: 3, selector: (e) => e.sha256 },
        ),
      },
      { requiredKeys: ['seqPrev', 'visibility', 'nonce', 'issuedAt'] },
    )
    .map(({ seqPrev, visibility, ...rest }) => ({ ...seqPrev, ...visibility, ...rest }));
}

/** JSON has no -0 (it serialises as 0), so generate +0 only. */
const coordinate = (limit: number): fc.Arbitrary<number> =>
  fc.double({ min: -limit, max: limit, noNaN: true }).map((x) => (x === 0 ? 0 : x));

const countsArb = fc.record(Object.fromEntries(COUNT_FIELDS.map((f) => [f, countArb])));

/** Body variations for the types whose rules are richest; the rest keep the fixture body. */
const bodyArbs: Partial<Record<StatementType, fc.Arbitrary<unknown>>> = {
  'exercise.notification': fc
    .record({
      designation: nameArb,
      start: epochArb,
      length: fc.integer({ min: 1, max: 60 * DAY }),
      participatingStates: fc.uniqueArray(stateArb, { minLength: 1, maxLength: 8 }),
      counts: countsArb,
      noticeClass: fc.constantFrom('standard', 'alert'),
      point: fc.tuple(coordinate(180), coordinate(90)),
      invited: fc.boolean(),
    })
    .map((r) => ({
      ...(validStatements['exercise.notification'].body as object),
      designation: r.designation,
      noticeClass: r.noticeClass,
      start: iso(r.start),
      end: iso(r.start + r.length),
      area: { description: 'varied', geojson: { type: 'Point', coordinates: r.point } },
      participatingStates: r.participatingStates,
      counts: r.counts,
      observation: r.invited ? { invited: true } : { invited: false, reason: 'not required' },
    })),
  'calendar.annual': fc
    .record({
      year: fc.integer({ min: 1900, max: 9998 }),
      activities: fc.uniqueArray(
        fc.record({
          designation: nameArb,
          day: fc.integer({ min: 0, max: 700 }),
          troops: countArb,
        }),
        { maxLength: 5, selector: (a) => a.designation },
      ),
    })
    .map(({ year, activities }) => ({
      year,
      nil: activities.length === 0,
      activities: activities.map((a) => {
        const start = iso(Date.UTC(year, 0, 1) + a.day * DAY).slice(0, 10);
        return {
          designation: a.designation,
          type: 'exercise',
          start,
          end: start,
          troops: a.troops,
        };
      }),
    })),
  'measure.define': fc
    .record({
      adopted: epochArb,
      gaps: fc.tuple(fc.nat({ max: 400 }), fc.integer({ min: 1, max: 4000 }), fc.nat({ max: 400 })),
      renewal: fc.constantFrom('none', 'affirmative', 'automatic'),
      parties: fc.uniqueArray(stateArb, { minLength: 1, maxLength: 6 }),
      title: nameArb,
    })
    .map(({ adopted, gaps, renewal, parties, title }) => {
      const base = validStatements['measure.define'].body as Record<string, unknown>;
      const inForce = adopted + gaps[0] * DAY;
      return {
        ...base,
        title,
        // The fixture's issuer (state:JOR) must be among the parties.
        parties: ['state:JOR', ...parties.filter((p) => p !== 'state:JOR')],
        adoptedAt: iso(adopted),
        inForceAt: iso(inForce),
        term: {
          sunsetAt: iso(inForce + gaps[1] * DAY),
          renewal,
          ...(renewal === 'none' ? {} : { renewalPeriodMonths: 12 }),
          terminationNoticeDays: 90,
        },
        review: { firstAt: iso(inForce + gaps[2] * DAY), intervalMonths: 12, graceDays: 30 },
      };
    }),
  'observer.report': fc
    .record({
      items: fc.uniqueArray(
        fc.record({
          item: fc.constantFrom(...COUNT_FIELDS),
          declared: countArb,
          observed: countArb,
        }),
        { maxLength: COUNT_FIELDS.length, selector: (d) => d.item },
      ),
      access: fc.constantFrom('full', 'managed', 'denied'),
      findings: fc.array(textArb, { maxLength: 4 }),
      dissent: fc.array(textArb, { maxLength: 2 }),
    })
    .map((r) => ({
      ...(validStatements['observer.report'].body as object),
      declaredVsObserved: r.items,
      access: r.access,
      findings: r.findings,
      dissent: r.dissent,
    })),
  'info.exchange': fc
    .record({
      year: fc.integer({ min: 1900, max: 9999 }),
      counts: fc.array(countArb, { minLength: 6, maxLength: 6 }),
    })
    .map(({ year, counts }) => ({
      year,
      holdings: {
        personnel: counts[0],
        battleTanks: counts[1],
        acv: counts[2],
        artillery: counts[3],
        combatAircraft: counts[4],
        combatHelicopters: counts[5],
      },
    })),
  'risk.response': fc.record({ request: statementIdArb, answer: textArb }),
};

// Arbitraries are built once per type: building them (stringMatching especially) is the costly
// part, so they must not be rebuilt inside a chain for every sample.
const validStatementArb: fc.Arbitrary<Statement> = fc.oneof(
  ...STATEMENT_TYPES.map((type) =>
    fc
      .record({
        envelope: envelopeArb(type),
        body: bodyArbs[type] ?? fc.constant(validStatements[type].body),
      })
      .map(({ envelope, body }) => {
        const s = {
          ...cloneStatement(validStatements[type]),
          ...envelope,
          body: structuredClone(body),
        };
        if (envelope.visibility !== 'restricted') delete s.audience;
        return s;
      }),
  ),
);

// ---- JSON tree helpers for mutations -----------------------------------------------------------

interface Node {
  path: Segment[];
  value: Json;
}

function nodes(root: Json, path: Segment[] = [], out: Node[] = []): Node[] {
  out.push({ path, value: root });
  if (Array.isArray(root)) root.forEach((v, i) => nodes(v, [...path, i], out));
  else if (root !== null && typeof root === 'object') {
    for (const [k, v] of Object.entries(root)) nodes(v, [...path, k], out);
  }
  return out;
}

function parentOf(root: Json, path: Segment[]): Record<Segment, Json> {
  let node = root as Record<Segment, Json>;
  for (const s of path.slice(0, -1)) node = node[s] as Record<Segment, Json>;
  return node;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
function jsonPath(path: Segment[]): string {
  return path.reduce<string>(
    (p, s) =>
      typeof s === 'number'
        ? `${p}[${s}]`
        : IDENT.test(s)
          ? `${p}.${s}`
          : `${p}[${JSON.stringify(s)}]`,
    '$',
  );
}

function jsonType(v: Json): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

// ---- properties ---------------------------------------------------------------------------------

describe('statement fuzzing', () => {
  it('accepts varied valid statements of every type, byte for byte', () => {
    fc.assert(
      fc.property(validStatementArb, (s) => {
        const parsed = parseStatement(payloadOf(s));
        expect(parsed).toEqual(s);
        // The published schema (statementSchema) is never stricter than the validator.
        expect(schemaAccepts(parsed)).toBe(true);
        expect(statementSigners(parsed).parties.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers a dropped field with acceptance or SCHEMA_VIOLATION', () => {
    fc.assert(
      fc.property(validStatementArb, fc.nat(), (s, pick) => {
        const root = structuredClone(s) as unknown as Json;
        const candidates = nodes(root).filter((n) => n.path.length > 0);
        const { path } = candidates[pick % candidates.length]!;
        const parent = parentOf(root, path);
        const last = path[path.length - 1]!;
        if (Array.isArray(parent)) parent.splice(last as number, 1);
        else delete parent[last];
        const e = outcome(() => parseStatement(payloadOf(root)));
        if (e) expect(e.code).toBe(ErrorCode.SCHEMA_VIOLATION);
        else expect(schemaAccepts(root)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('rejects an added field anywhere with UNKNOWN_FIELD at its path', () => {
    fc.assert(
      fc.property(
        validStatementArb,
        fc.nat(),
        fc.stringMatching(/^x[a-z]{0,8}$/),
        // Values the strict JSON parser accepts, so that only the new key can be at fault.
        fc.oneof(
          fc.integer(),
          fc.string(),
          fc.boolean(),
          fc.constant(null),
          fc.constant({ a: [1] }),
        ),
        (s, pick, key, value) => {
          const root = structuredClone(s) as unknown as Json;
          const objects = nodes(root).filter(
            (n) => n.value !== null && typeof n.value === 'object' && !Array.isArray(n.value),
          );
          const target = objects[pick % objects.length]!;
          (target.value as Record<string, Json>)[key] = value as Json;
          const e = outcome(() => parseStatement(payloadOf(root)));
          expect(e?.code).toBe(ErrorCode.UNKNOWN_FIELD);
          expect(e?.path).toBe(jsonPath([...target.path, key]));
          expect(schemaAccepts(root)).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('rejects a value of another JSON type with SCHEMA_VIOLATION at or below its path', () => {
    fc.assert(
      fc.property(validStatementArb, fc.nat(), fc.jsonValue({ maxDepth: 2 }), (s, pick, value) => {
        const root = structuredClone(s) as unknown as Json;
        const candidates = nodes(root).filter((n) => n.path.length > 0);
        const { path, value: old } = candidates[pick % candidates.length]!;
        fc.pre(jsonType(old) !== jsonType(value as Json));
        parentOf(root, path)[path[path.length - 1]!] = value as Json;
        const e = outcome(() => validateStatement(root));
        expect(e?.code).toBe(ErrorCode.SCHEMA_VIOLATION);
        expect(schemaAccepts(root)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers a flipped bit in the payload with a statement or a ProtocolError', () => {
    fc.assert(
      fc.property(validStatementArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (s, pick, bit) => {
        const bytes = payloadOf(s);
        bytes[pick % bytes.length]! ^= 1 << bit;
        let parsed: Statement | undefined;
        const e = outcome(() => (parsed = parseStatement(bytes)));
        if (e) expect(Object.values(ErrorCode)).toContain(e.code);
        else expect(schemaAccepts(parsed)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers truncated and spliced payloads with a statement or a ProtocolError', () => {
    fc.assert(
      fc.property(validStatementArb, fc.nat(), fc.uint8Array({ maxLength: 8 }), (s, pick, junk) => {
        const bytes = payloadOf(s);
        const at = pick % bytes.length;
        const spliced = new Uint8Array([
          ...bytes.subarray(0, at),
          ...junk,
          ...bytes.subarray(at + 1),
        ]);
        outcome(() => parseStatement(spliced));
        outcome(() => parseStatement(bytes.subarray(0, at)));
      }),
      { numRuns: RUNS },
    );
  });

  it('answers arbitrary bytes, JSON and JavaScript values with ProtocolError only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        expect(outcome(() => parseStatement(b))).toBeInstanceOf(ProtocolError);
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(outcome(() => parseStatement(utf8Encode(JSON.stringify(v))))).toBeInstanceOf(
          ProtocolError,
        );
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true }),
        (v) => {
          expect(outcome(() => validateStatement(v))).toBeInstanceOf(ProtocolError);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

/**
 * The pages: register (latest entries), entry, state, measure. Routes live in the hash
 * (`#/en/state/state:JOR`), the language first, so every permalink carries its language.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { toBase64, toHex } from '@cbm-ledger/protocol';
import type { Api, EntryView, Ledger } from './verify.js';
import { VerificationError, verifyInclusions } from './verify.js';
import { describeEntry, partyName, promiseState } from './describe.js';
import { ReceiptPage } from './receipt.js';
import { LANGS, STRINGS, formatDate, formatNumber, outcomeLabel, typeLabel } from './i18n.js';
import type { Lang } from './i18n.js';

export type Route =
  | { page: 'register' }
  | { page: 'entry'; index: number }
  | { page: 'state'; party: string }
  | { page: 'measure'; id: string }
  | { page: 'receipt' };

export function parseRoute(hash: string): { lang: Lang; route: Route } {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const lang: Lang = LANGS.includes(parts[0] as Lang) ? (parts[0] as Lang) : 'en';
  const [page, arg] = [parts[1], parts[2]];
  if (page === 'entry' && arg !== undefined && /^\d+$/.test(arg))
    return { lang, route: { page: 'entry', index: Number(arg) } };
  if (page === 'state' && arg) return { lang, route: { page: 'state', party: arg } };
  if (page === 'measure' && arg) return { lang, route: { page: 'measure', id: arg } };
  if (page === 'receipt') return { lang, route: { page: 'receipt' } };
  return { lang, route: { page: 'register' } };
}

export function href(lang: Lang, route: Route): string {
  switch (route.page) {
    case 'register':
      return `#/${lang}/`;
    case 'entry':
      return `#/${lang}/entry/${route.index}`;
    case 'state':
      return `#/${lang}/state/${encodeURIComponent(route.party)}`;
    case 'measure':
      return `#/${lang}/measure/${encodeURIComponent(route.id)}`;
    case 'receipt':
      return `#/${lang}/receipt`;
  }
}

export type LoadState =
  | { kind: 'loading' }
  | { kind: 'failed'; error: VerificationError | Error }
  | { kind: 'loaded'; ledger: Ledger };

interface MeasureView {
  id: string;
  title: string;
  statement: string;
  parties: string[];
  status: string;
  adoptedAt: string;
  inForceAt: string;
  sunsetAt: string | null;
  endedAt: string | null;
  events: { at: string; kind: string; upcoming: boolean; detail: string; party?: string }[];
  treeSize: number;
  rootHash: string;
}

interface ComplianceSummary {
  treeSize: number;
  rootHash: string;
  states: {
    party: string;
    findings: number;
    outcomes: Record<string, number>;
    alleged: number;
    disputed: number;
  }[];
}

/** Inclusion results of the entries a page shows: null = proven, string = what failed. */
function useInclusion(
  api: Api,
  ledger: Ledger,
  indexes: number[],
): Map<number, string | null> | undefined {
  const key = indexes.join(',');
  const [result, setResult] = useState<Map<number, string | null> | undefined>(undefined);
  useEffect(() => {
    setResult(undefined);
    let live = true;
    void verifyInclusions(api, ledger, indexes).then((r) => live && setResult(r));
    return () => {
      live = false;
    };
  }, [key, ledger]);
  return result;
}

function useJson<T>(api: Api, path: string | undefined): T | null | undefined {
  const [value, setValue] = useState<T | null | undefined>(undefined);
  useEffect(() => {
    if (path === undefined) return;
    setValue(undefined);
    let live = true;
    api.json<T>(path).then(
      (v) => live && setValue(v),
      () => live && setValue(null),
    );
    return () => {
      live = false;
    };
  }, [path]);
  return value;
}

function Banner(props: {
  lang: Lang;
  state: LoadState;
  inclusion: Map<number, string | null> | undefined;
  expected: number;
}): preact.JSX.Element {
  const t = STRINGS[props.lang];
  const { state, lang } = props;
  if (state.kind === 'loading')
    return (
      <section class="banner checking" data-verification="checking" aria-live="polite">
        {t.checking}
      </section>
    );
  if (state.kind === 'failed') {
    const f = state.error instanceof VerificationError ? state.error.failure : undefined;
    return (
      <section class="banner failed" data-verification="failed" role="alert">
        <h2>{t.failed}</h2>
        <p data-failure>
          {state.error.message}
          {f?.index !== undefined ? ` (${t.atIndex(formatNumber(lang, f.index))})` : ''}
        </p>
      </section>
    );
  }
  const { ledger } = state;
  const inclusionFailures = [...(props.inclusion?.entries() ?? [])].filter(([, v]) => v !== null);
  const failures = [
    ...ledger.failures,
    ...inclusionFailures.map(([index, what]) => ({ what: what ?? '', index })),
  ];
  const pending = props.inclusion === undefined || props.inclusion.size < props.expected;
  const status = failures.length > 0 ? 'failed' : pending ? 'checking' : 'verified';
  const c = ledger.consistency;
  return (
    <section class={`banner ${status}`} data-verification={status} aria-live="polite">
      <h2>
        {status === 'verified'
          ? `✔ ${t.verified}`
          : status === 'failed'
            ? `✖ ${t.failed}`
            : t.checking}
      </h2>
      <ul>
        <li>
          {t.verifiedDetail(formatNumber(lang, ledger.checkpoint.size), ledger.checkpoint.origin)}
        </li>
        <li>
          {t.cosigned(
            formatNumber(lang, new Set(ledger.cosignatures.map((x) => x.name)).size),
            formatNumber(lang, ledger.witnesses.length),
            formatNumber(lang, ledger.config.witnessQuorum),
          )}{' '}
          ({ledger.witnessSource === 'pinned' ? t.witnessPinned : t.witnessFromLog})
        </li>
        <li>
          {c.kind === 'first-visit'
            ? t.firstVisit
            : c.kind === 'same'
              ? t.sameAsBefore
              : t.consistentWith(formatNumber(lang, c.from))}
        </li>
      </ul>
      {failures.length > 0 && (
        <div>
          <h3>{t.failures}</h3>
          <ul>
            {failures.map((f) => (
              <li data-failure key={`${f.index}-${f.what}`}>
                {f.what}
                {f.index !== undefined ? ` (${t.atIndex(formatNumber(lang, f.index))})` : ''}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function InclusionBadge(props: {
  lang: Lang;
  entry: EntryView;
  result: Map<number, string | null> | undefined;
}): preact.JSX.Element {
  const t = STRINGS[props.lang];
  const r = props.result?.get(props.entry.index);
  if (props.entry.failure !== undefined || (r !== undefined && r !== null))
    return (
      <span class="badge bad" data-inclusion="failed">
        ✖ {props.entry.failure ?? t.inclusionFailed}
      </span>
    );
  if (r === undefined)
    return (
      <span class="badge" data-inclusion="checking">
        {t.inclusionPending}
      </span>
    );
  return (
    <span class="badge ok" data-inclusion="verified">
      ✔ {t.inclusionOk}
    </span>
  );
}

/** An entry whose own checks or inclusion proof failed is not shown as content at all. */
function readable(e: EntryView, inclusion: Map<number, string | null> | undefined): boolean {
  const r = inclusion?.get(e.index);
  return e.failure === undefined && (r === undefined || r === null);
}

function EntryRows(props: {
  lang: Lang;
  ledger: Ledger;
  entries: EntryView[];
  inclusion: Map<number, string | null> | undefined;
}): preact.JSX.Element {
  const t = STRINGS[props.lang];
  const { lang, ledger } = props;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">{t.when}</th>
          <th scope="col">{t.who}</th>
          <th scope="col">{t.what}</th>
          <th scope="col">{t.check}</th>
        </tr>
      </thead>
      <tbody>
        {props.entries.map((e) => (
          <tr key={e.index} data-entry={e.index} data-visibility={e.leaf.visibility}>
            <td>
              <a href={href(lang, { page: 'entry', index: e.index })}>
                {formatNumber(lang, e.index)}
              </a>
            </td>
            <td>{formatDate(lang, e.leaf.integratedAt, true)}</td>
            <td>
              <a href={href(lang, { page: 'state', party: e.leaf.issuer })}>
                {partyName(ledger, e.leaf.issuer)}
              </a>
            </td>
            <td>
              {readable(e, props.inclusion) ? describeEntry(ledger, e, lang) : t.notVerified}
              {e.leaf.visibility !== 'public' && (
                <>
                  {' '}
                  <code class="hash">{toHex(e.leafHash).slice(0, 16)}…</code>
                </>
              )}
            </td>
            <td>
              <InclusionBadge lang={lang} entry={e} result={props.inclusion} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const REGISTER_SIZE = 25;

/** Which entries a route shows (and so must prove included). */
export function shownEntries(ledger: Ledger, route: Route): EntryView[] {
  const all = ledger.entries;
  switch (route.page) {
    case 'receipt':
      return [];
    case 'register':
      return all.slice(-REGISTER_SIZE).reverse();
    case 'entry':
      return all[route.index] === undefined ? [] : [all[route.index]!];
    case 'state':
      return all.filter((e) => e.leaf.issuer === route.party).reverse();
    case 'measure':
      return all.filter(
        (e) =>
          (e.leaf.type.startsWith('measure.') &&
            (e.statement?.body as { id?: string; measure?: string } | undefined)?.id ===
              route.id) ||
          (e.statement?.body as { measure?: string } | undefined)?.measure === route.id,
      );
  }
}

const OUTCOME_COLOURS: Record<string, string> = {
  compliant: '#15803d',
  late: '#b45309',
  missing: '#b91c1c',
  exceeded: '#7e22ce',
  discrepancy: '#be185d',
  'not-assessable': '#4b5563',
};

/** Findings per state as stacked bars by outcome (the public summary has no per-rule split). */
export function ComplianceChart(props: {
  lang: Lang;
  ledger: Ledger;
  summary: ComplianceSummary;
}): preact.JSX.Element {
  const { lang, ledger, summary } = props;
  const t = STRINGS[lang];
  const max = Math.max(1, ...summary.states.map((s) => s.findings));
  const W = 800;
  const left = 260;
  const label = summary.states
    .map(
      (s) =>
        `${partyName(ledger, s.party)}: ${Object.entries(s.outcomes)
          .filter(([, n]) => n > 0)
          .map(([o, n]) => `${formatNumber(lang, n)} ${o}`)
          .join(', ')}`,
    )
    .join('; ');
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${W} ${30 + summary.states.length * 30}`}
      role="img"
      aria-label={`${t.compliance}: ${label}`}
      data-chart="compliance"
    >
      {summary.states.map((s, i) => {
        let x = left;
        const y = 10 + i * 30;
        return (
          <g key={s.party} data-party={s.party}>
            <text x={left - 8} y={y + 15} font-size="13" fill="#111827" text-anchor="end">
              {partyName(ledger, s.party)}
            </text>
            {Object.entries(s.outcomes)
              .filter(([, n]) => n > 0)
              .map(([outcome, n]) => {
                const w = (n / max) * (W - left - 20);
                const bar = (
                  <rect
                    key={outcome}
                    data-outcome={outcome}
                    x={x}
                    y={y}
                    width={w}
                    height={20}
                    fill={OUTCOME_COLOURS[outcome] ?? '#374151'}
                  >
                    <title>{`${outcome}: ${formatNumber(lang, n)}`}</title>
                  </rect>
                );
                x += w;
                return bar;
              })}
          </g>
        );
      })}
    </svg>
  );
}

function Register(props: PageProps): preact.JSX.Element {
  const t = STRINGS[props.lang];
  const summary = useJson<ComplianceSummary>(props.api, '/compliance');
  const parties = [...props.ledger.names.keys()];
  return (
    <>
      <h2>{t.latest}</h2>
      <EntryRows {...props} entries={props.shown} />
      <h2>{t.states}</h2>
      <ul class="cards">
        {parties.map((p) => (
          <li key={p}>
            <a href={href(props.lang, { page: 'state', party: p })}>{partyName(props.ledger, p)}</a>
          </li>
        ))}
      </ul>
      <h2>{t.compliance}</h2>
      <p class="note">{t.complianceNote}</p>
      {summary !== undefined && summary !== null && (
        <>
          <ComplianceChart lang={props.lang} ledger={props.ledger} summary={summary} />
          <ul class="legend">
            {Object.entries(OUTCOME_COLOURS).map(([o, c]) => (
              <li key={o}>
                <svg class="swatch" viewBox="0 0 10 10" aria-hidden="true">
                  <rect width="10" height="10" fill={c} />
                </svg>{' '}
                {outcomeLabel(props.lang, o)}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>{t.measures}</h2>
      <ul class="cards">
        {props.ledger.entries
          .filter((e) => e.leaf.type === 'measure.define' && e.statement !== undefined)
          .map((e) => {
            const b = e.statement!.body as { id: string; title: string };
            return (
              <li key={b.id}>
                <a href={href(props.lang, { page: 'measure', id: b.id })}>{b.title}</a>
              </li>
            );
          })}
      </ul>
    </>
  );
}

function EntryPage(props: PageProps & { index: number }): preact.JSX.Element {
  const t = STRINGS[props.lang];
  const e = props.shown[0];
  if (e === undefined) return <p>{t.notFound}</p>;
  const { lang, ledger } = props;
  const promise = promiseState(e.leaf);
  // A verdict on the leaf's times vouches for them: only once its inclusion is proven.
  const proven = e.failure === undefined && props.inclusion?.get(e.index) === null;
  return (
    <>
      <h2>
        {t.entry} {formatNumber(lang, e.index)}
      </h2>
      <p class="lead">
        {readable(e, props.inclusion) ? describeEntry(ledger, e, lang) : t.notVerified}
      </p>
      <p>
        <InclusionBadge lang={lang} entry={e} result={props.inclusion} />
      </p>
      <dl>
        <dt>{t.type}</dt>
        <dd>{typeLabel(lang, e.leaf.type)}</dd>
        <dt>{t.who}</dt>
        <dd>
          <a href={href(lang, { page: 'state', party: e.leaf.issuer })}>
            {partyName(ledger, e.leaf.issuer)}
          </a>
        </dd>
        {e.leaf.v === 2 && (
          <>
            <dt>{t.accepted}</dt>
            <dd>{formatDate(lang, e.leaf.acceptedAt, true)}</dd>
            <dt>{t.promisedBy}</dt>
            <dd>{formatDate(lang, e.leaf.integrateBy, true)}</dd>
          </>
        )}
        <dt>{t.when}</dt>
        <dd>
          {formatDate(lang, e.leaf.integratedAt, true)}
          {proven && (
            <>
              <br />
              <span data-promise={promise}>
                {{ kept: t.promiseKept, broken: t.promiseBroken, none: t.promiseNone }[promise]}
              </span>
            </>
          )}
        </dd>
        <dt>{t.visibility}</dt>
        <dd>{e.leaf.visibility}</dd>
        <dt>{t.seq}</dt>
        <dd>{formatNumber(lang, e.leaf.seq)}</dd>
        <dt>{t.statementId}</dt>
        <dd>
          <code class="hash">{e.leaf.statement}</code>
        </dd>
        <dt>{t.leafHash}</dt>
        <dd>
          <code class="hash">{toBase64(e.leafHash)}</code>
        </dd>
      </dl>
    </>
  );
}

function StatePage(props: PageProps & { party: string }): preact.JSX.Element {
  const t = STRINGS[props.lang];
  const { lang, ledger, party } = props;
  const compliance = useJson<ComplianceSummary>(props.api, '/compliance');
  const seqs = [...props.shown].reverse().map((e) => e.leaf.seq);
  const gap = seqs.findIndex((s, i) => s !== i + 1);
  const row = compliance?.states.find((s) => s.party === party);
  return (
    <>
      <h2>{partyName(ledger, party)}</h2>
      <p>
        <code>{party}</code>
      </p>
      <h3>{t.chain}</h3>
      <p data-chain={gap < 0 ? 'continuous' : 'gap'}>
        {gap < 0
          ? t.chainOk(formatNumber(lang, seqs.length))
          : t.chainGap(formatNumber(lang, gap + 1))}
      </p>
      <h3>{t.declarations}</h3>
      <EntryRows {...props} entries={props.shown} />
      <h3>{t.compliance}</h3>
      <p class="note">{t.complianceNote}</p>
      {row === undefined ? (
        <p>{t.noFindings}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t.outcome}</th>
              <th scope="col">{t.count}</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(row.outcomes).map(([k, v]) => (
              <tr key={k}>
                <td>{outcomeLabel(lang, k)}</td>
                <td>{formatNumber(lang, v)}</td>
              </tr>
            ))}
            <tr>
              <td>{t.alleged}</td>
              <td>{formatNumber(lang, row.alleged)}</td>
            </tr>
            <tr>
              <td>{t.disputed}</td>
              <td>{formatNumber(lang, row.disputed)}</td>
            </tr>
          </tbody>
        </table>
      )}
    </>
  );
}

const EVENT_COLOURS: Record<string, string> = {
  adopted: '#1d4ed8',
  'in-force': '#15803d',
  defined: '#1d4ed8',
  'review-due': '#b45309',
  reviewed: '#15803d',
  overdue: '#b91c1c',
  expiring: '#b45309',
  sunset: '#6b21a8',
  renewed: '#15803d',
  withdrawn: '#b91c1c',
};

/** A Gantt-like strip: the in-force bar, each event as a marker, and today. */
export function TimelineChart(props: {
  lang: Lang;
  measure: MeasureView;
  now: number;
}): preact.JSX.Element {
  const { measure, lang } = props;
  const t = STRINGS[lang];
  const times = [
    Date.parse(measure.adoptedAt),
    ...measure.events.map((e) => Date.parse(e.at)),
    props.now,
  ].filter((x) => !Number.isNaN(x));
  const start = Math.min(...times);
  const end = Math.max(...times, start + 1);
  const W = 800;
  const x = (ms: number): number => 20 + ((ms - start) / (end - start)) * (W - 40);
  const barEnd = Date.parse(measure.endedAt ?? measure.sunsetAt ?? new Date(end).toISOString());
  const rows = measure.events.length;
  const H = 70 + rows * 22;
  const label = `${t.timeline}: ${measure.events.map((e) => `${formatDate(lang, e.at)} ${e.detail}`).join('; ')}`;
  return (
    <svg
      class="timeline"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={label}
      data-chart="timeline"
      direction="ltr"
    >
      <rect
        x={x(Date.parse(measure.inForceAt))}
        y={20}
        width={Math.max(2, x(barEnd) - x(Date.parse(measure.inForceAt)))}
        height={16}
        fill="#bbf7d0"
        stroke="#15803d"
      />
      <line
        x1={x(props.now)}
        x2={x(props.now)}
        y1={10}
        y2={H - 10}
        stroke="#111827"
        stroke-dasharray="4 3"
      />
      <text x={x(props.now) + 4} y={14} font-size="12" fill="#111827">
        {t.today}
      </text>
      {measure.events.map((e, i) => {
        const cx = x(Date.parse(e.at));
        const y = 60 + i * 22;
        const anchor = cx > W / 2 ? 'end' : 'start';
        return (
          <g key={`${e.kind}-${e.at}`} data-event={e.kind}>
            <line x1={cx} x2={cx} y1={36} y2={y} stroke="#9ca3af" />
            <circle
              cx={cx}
              cy={y}
              r={6}
              fill={e.upcoming ? '#ffffff' : (EVENT_COLOURS[e.kind] ?? '#374151')}
              stroke={EVENT_COLOURS[e.kind] ?? '#374151'}
              stroke-width={2}
            />
            <text
              x={anchor === 'end' ? cx - 10 : cx + 10}
              y={y + 4}
              font-size="12"
              fill="#111827"
              text-anchor={anchor}
            >
              {formatDate(lang, e.at)} — {e.kind}
              {e.upcoming ? ` (${t.upcoming})` : ''}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function MeasurePage(props: PageProps & { id: string }): preact.JSX.Element {
  const t = STRINGS[props.lang];
  const { lang, ledger } = props;
  const measure = useJson<MeasureView>(
    props.api,
    `/measures/${encodeURIComponent(props.id)}/timeline`,
  );
  if (measure === undefined) return <p>{t.checking}</p>;
  if (measure === null) return <p>{t.notFound}</p>;
  const definition = ledger.entries.find((e) => e.leaf.statement === measure.statement);
  return (
    <>
      <h2>{measure.title}</h2>
      <dl>
        <dt>{t.status}</dt>
        <dd>{measure.status}</dd>
        <dt>{t.parties}</dt>
        <dd>
          {measure.parties.map((p, i) => (
            <>
              {i > 0 && ', '}
              <a href={href(lang, { page: 'state', party: p })}>{partyName(ledger, p)}</a>
            </>
          ))}
        </dd>
        <dt>{t.definedIn}</dt>
        <dd>
          {definition === undefined ? (
            t.notVerified
          ) : (
            <a href={href(lang, { page: 'entry', index: definition.index })}>
              {formatNumber(lang, definition.index)}
            </a>
          )}
        </dd>
      </dl>
      <h3>{t.timeline}</h3>
      <p class="note">{t.timelineNote}</p>
      <TimelineChart lang={lang} measure={measure} now={Date.now()} />
      <h3>{t.declarations}</h3>
      <EntryRows {...props} entries={props.shown} />
    </>
  );
}

interface PageProps {
  api: Api;
  lang: Lang;
  ledger: Ledger;
  shown: EntryView[];
  inclusion: Map<number, string | null> | undefined;
}

function Loaded(props: {
  api: Api;
  lang: Lang;
  route: Route;
  state: LoadState & { kind: 'loaded' };
}): preact.JSX.Element {
  const { ledger } = props.state;
  const shown = shownEntries(ledger, props.route);
  const inclusion = useInclusion(
    props.api,
    ledger,
    shown.map((e) => e.index),
  );
  const page: PageProps = { api: props.api, lang: props.lang, ledger, shown, inclusion };
  const r = props.route;
  return (
    <>
      <Banner lang={props.lang} state={props.state} inclusion={inclusion} expected={shown.length} />
      {r.page === 'register' && <Register {...page} />}
      {r.page === 'entry' && <EntryPage {...page} index={r.index} />}
      {r.page === 'state' && <StatePage {...page} party={r.party} />}
      {r.page === 'measure' && <MeasurePage {...page} id={r.id} />}
      {r.page === 'receipt' && <ReceiptPage lang={props.lang} ledger={ledger} />}
    </>
  );
}

function Shell(props: {
  lang: Lang;
  route: Route;
  children: ComponentChildren;
}): preact.JSX.Element {
  const t = STRINGS[props.lang];
  const other: Lang = props.lang === 'en' ? 'ar' : 'en';
  return (
    <>
      <header>
        <h1>{t.title}</h1>
        <p>{t.tagline}</p>
        <nav aria-label={t.nav}>
          <a href={href(props.lang, { page: 'register' })}>{t.register}</a>
          <a href={href(props.lang, { page: 'receipt' })}>{t.receiptNav}</a>
          <a
            href={href(other, props.route)}
            lang={other}
            aria-label={t.languageLabel}
            data-lang-switch
          >
            {t.language}
          </a>
        </nav>
      </header>
      <main>{props.children}</main>
      <footer>
        <p>{t.footer}</p>
      </footer>
    </>
  );
}

export function App(props: { api: Api; state: LoadState }): preact.JSX.Element {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = (): void => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const { lang, route } = parseRoute(hash);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = lang === 'ar' ? 'rtl' : 'ltr';
    document.title = STRINGS[lang].title;
  }, [lang]);
  return (
    <Shell lang={lang} route={route}>
      {props.state.kind === 'loaded' ? (
        <Loaded api={props.api} lang={lang} route={route} state={props.state} />
      ) : (
        <Banner lang={lang} state={props.state} inclusion={undefined} expected={0} />
      )}
    </Shell>
  );
}

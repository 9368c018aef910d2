/**
 * `cbm witness --key FILE --name NAME [--state-file F] [--once]`: a checkpoint witness (C2SP
 * tlog-witness, simplified). Each round fetches the ledger's checkpoint, verifies the log's
 * signature, proves it consistent with the largest checkpoint this witness saw before (kept in
 * the state file), and only then cosigns it (cosignature/v1) and posts the cosignature. A
 * checkpoint that is older, forked or unprovable is never cosigned.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, ConnectionError, ResponseError, logKey } from '@cbm-ledger/client';
import type { LedgerClient, LedgerInfo } from '@cbm-ledger/client';
import { readKeyFile } from '@cbm-ledger/client/node';
import {
  cosign,
  fromBase64,
  isValidKeyName,
  keyFileSeed,
  openCheckpoint,
  parseNote,
  toBase64,
  verifyConsistency,
} from '@cbm-ledger/protocol';
import type { Checkpoint, KeyFile, NoteVerifierKey } from '@cbm-ledger/protocol';
import type { Command, Context } from '../command.js';
import {
  flag,
  integerOption,
  readOptionalJson,
  requiredOption,
  stringOption,
  writeFileAtomic,
} from '../command.js';
import { CommandError, EXIT_OK, UsageError, describeFailure } from '../errors.js';

export interface WitnessState {
  version: 1;
  origin: string;
  logVkey: string;
  name: string;
  /** The largest checkpoint verified so far. */
  checkpoint?: { size: number; rootHash: string; note: string };
  /** The last checkpoint cosigned, and when (POSIX seconds). */
  cosigned?: { size: number; rootHash: string; time: number };
}

export interface WitnessRound {
  ok: true;
  origin: string;
  size: number;
  rootHash: string;
  /** The size this checkpoint was proven consistent with; null on first sight. */
  consistentWith: number | null;
  cosigned: boolean;
  line?: string;
  time?: number;
  /** Why nothing was posted (already cosigned this checkpoint). */
  skipped?: string;
}

function parseState(raw: unknown, file: string): WitnessState {
  const s = raw as Partial<WitnessState> | null;
  if (s === null || typeof s !== 'object' || s.version !== 1 || typeof s.logVkey !== 'string') {
    throw new CommandError('STATE_INVALID', `${file} is not a witness state file`);
  }
  return s as WitnessState;
}

async function loadState(file: string | undefined): Promise<WitnessState | undefined> {
  if (file === undefined) return undefined;
  const raw = await readOptionalJson(file, 'witness state file');
  return raw === undefined ? undefined : parseState(raw, file);
}

function checkRegistration(ctx: Context, info: LedgerInfo, name: string, key: KeyFile): void {
  const listed = info.witnesses.find((w) => w.name === name);
  if (listed === undefined) {
    ctx.out.note(
      `cbm: warning: the ledger lists no witness named ${name}; it will refuse the cosignature until the party’s registration or its own witness.set names it`,
    );
  } else if (listed.publicKey !== key.publicKey) {
    ctx.out.note(
      `cbm: warning: witness ${name} is registered (for ${listed.party}) with another public key than ${key.keyid}'s`,
    );
  }
}

/**
 * Seconds before the next round after `failures` failed rounds in a row: the interval while all
 * is well, then doubling (with up to 20 % jitter, so that many witnesses do not come back in the
 * same second) up to the larger of the interval and five minutes. A ledger that is down for an
 * hour is thus asked about a dozen times, not 360.
 */
export function witnessDelay(intervalS: number, failures: number, random = Math.random): number {
  if (failures <= 0) return intervalS;
  const cap = Math.max(intervalS, 300);
  const base = Math.min(cap, intervalS * 2 ** Math.min(failures, 20));
  return Math.min(cap, Math.round(base * (1 + 0.2 * random()) * 10) / 10);
}

/** Failures a running witness waits out: the ledger unreachable, overloaded or failing. */
function isTransient(e: unknown): boolean {
  return (
    e instanceof ConnectionError ||
    e instanceof ResponseError ||
    (e instanceof ApiError && (e.status >= 500 || e.status === 429))
  );
}

/** One round; throws CommandError when the checkpoint must not be cosigned. */
export async function witnessRound(options: {
  client: LedgerClient;
  key: KeyFile;
  name: string;
  logKey: NoteVerifierKey;
  logVkey: string;
  state: WitnessState | undefined;
  save: (s: WitnessState) => Promise<void>;
  now?: () => number;
}): Promise<{ round: WitnessRound; state: WitnessState }> {
  const { client, key, name } = options;
  const note = await client.checkpoint();
  let checkpoint: Checkpoint;
  try {
    checkpoint = openCheckpoint(note, options.logKey).checkpoint;
  } catch (e) {
    throw new CommandError(
      'CHECKPOINT_INVALID',
      `the ledger's checkpoint does not verify with the log key: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const rootHash = toBase64(checkpoint.rootHash);
  const prior = options.state?.checkpoint;
  let consistentWith: number | null = null;
  if (prior !== undefined) {
    const priorRoot = fromBase64(prior.rootHash, 32);
    if (checkpoint.size < prior.size) {
      throw new CommandError(
        'CHECKPOINT_ROLLBACK',
        `the ledger serves checkpoint ${checkpoint.size}, older than checkpoint ${prior.size} this witness saw: not cosigning`,
      );
    }
    if (checkpoint.size === prior.size) {
      if (prior.rootHash !== rootHash) {
        throw new CommandError(
          'INCONSISTENT',
          `checkpoint ${checkpoint.size} now has root ${rootHash}, not ${prior.rootHash}: the log forked; not cosigning`,
        );
      }
    } else if (prior.size > 0) {
      // Every tree extends the empty one: RFC 6962 has no proof from size 0, nor needs one.
      const proof = await client.consistencyProof(prior.size, checkpoint.size);
      try {
        verifyConsistency(
          prior.size,
          checkpoint.size,
          priorRoot,
          checkpoint.rootHash,
          proof.hashes.map((h) => fromBase64(h, 32)),
        );
      } catch (e) {
        throw new CommandError(
          'INCONSISTENT',
          `checkpoint ${checkpoint.size} is not consistent with checkpoint ${prior.size} seen before (${e instanceof Error ? e.message : String(e)}): the log's history was rewritten; not cosigning`,
        );
      }
    }
    consistentWith = prior.size;
  }
  let state: WitnessState = {
    version: 1,
    origin: checkpoint.origin,
    logVkey: options.logVkey,
    name,
    checkpoint: { size: checkpoint.size, rootHash, note },
    ...(options.state?.cosigned === undefined ? {} : { cosigned: options.state.cosigned }),
  };
  // Remember the largest verified checkpoint before posting: it is what consistency is
  // proven from next time, whether or not the ledger accepts the cosignature.
  await options.save(state);
  const base = {
    ok: true as const,
    origin: checkpoint.origin,
    size: checkpoint.size,
    rootHash,
    consistentWith,
  };
  const done = options.state?.cosigned;
  if (done !== undefined && done.size === checkpoint.size && done.rootHash === rootHash) {
    return { round: { ...base, cosigned: false, skipped: 'already cosigned' }, state };
  }
  const time = Math.floor((options.now?.() ?? Date.now()) / 1000);
  const line = cosign(parseNote(note).text, name, keyFileSeed(key), time);
  await client.postCosignature({ checkpoint: note, cosignature: line });
  state = { ...state, cosigned: { size: checkpoint.size, rootHash, time } };
  await options.save(state);
  return { round: { ...base, cosigned: true, line, time }, state };
}

/** Aborted by the first SIGINT or SIGTERM; the handlers go once it fires. */
function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return controller.signal;
}

function describe(round: WitnessRound, name: string): string {
  const consistent =
    round.consistentWith === null
      ? 'first checkpoint seen (trusted on first use)'
      : round.consistentWith === round.size
        ? 'same as before'
        : `consistent with checkpoint ${round.consistentWith} seen before`;
  return round.cosigned
    ? `Cosigned checkpoint ${round.size} of ${round.origin} as ${name} (root ${round.rootHash}); ${consistent}`
    : `Checkpoint ${round.size} of ${round.origin}: ${consistent}; ${round.skipped ?? 'not cosigned'}`;
}

export const witnessCommand: Command = {
  name: 'witness',
  usage:
    'witness --key FILE --name NAME [--state-file F] [--once] [--interval S] [--log-vkey VKEY]',
  summary: 'cosign checkpoints proven consistent with the ones seen before',
  help: [
    'Options:',
    "  --key FILE        key file whose seed is the witness key (registered as the party's witness)",
    '  --name NAME       the witness name registered with it',
    "  --state-file F    the largest checkpoint seen so far (keep it: it is the witness's memory)",
    '  --once            one round, then exit; otherwise repeat every --interval seconds (10)',
    "  --log-vkey VKEY   the log key to trust (default: the state file's, else the ledger's own)",
  ].join('\n'),
  options: {
    key: { type: 'string' },
    name: { type: 'string' },
    'state-file': { type: 'string' },
    once: { type: 'boolean' },
    interval: { type: 'string' },
    'log-vkey': { type: 'string' },
  },
  positionals: [0, 0],
  async run(ctx) {
    const key = await readKeyFile(ctx.path(requiredOption(ctx.values, 'key')));
    const name = requiredOption(ctx.values, 'name');
    if (!isValidKeyName(name)) throw new UsageError('--name must be a key name (no spaces or "+")');
    const stateArg = stringOption(ctx.values, 'state-file');
    const stateFile = stateArg === undefined ? undefined : ctx.path(stateArg);
    const interval = integerOption(ctx.values, 'interval', { min: 1, max: 86_400 }) ?? 10;
    const once = flag(ctx.values, 'once');
    const client = ctx.client();
    let state = await loadState(stateFile);
    if (state !== undefined && state.name !== name) {
      throw new CommandError(
        'STATE_INVALID',
        `${stateFile} belongs to witness ${state.name}, not ${name}`,
      );
    }
    // Ctrl+C ends the loop between rounds (the state file is always written whole).
    const stop = ctx.io.signal ?? (once ? undefined : interruptSignal());
    let failures = 0;
    /** Waits before the next attempt; false when stopped meanwhile. */
    const pause = async (seconds = witnessDelay(interval, failures)): Promise<boolean> => {
      if (stop?.aborted === true) return false;
      try {
        await sleep(seconds * 1000, undefined, stop === undefined ? {} : { signal: stop });
        return true;
      } catch {
        return false; // stopped (Ctrl+C)
      }
    };
    let info: LedgerInfo | undefined;
    while (info === undefined) {
      try {
        info = await client.info();
      } catch (e) {
        // A witness started while the ledger is down waits for it rather than exiting.
        if (once || !isTransient(e)) throw e;
        failures++;
        const delay = witnessDelay(interval, failures);
        ctx.out.note(
          `cbm: ${new Date().toISOString()} ${describeFailure(e, ctx.server).message}; retrying in ${delay} s`,
        );
        if (!(await pause(delay))) return EXIT_OK;
      }
    }
    failures = 0;
    const given = stringOption(ctx.values, 'log-vkey');
    const logVkey = given ?? state?.logVkey ?? info.logVkey;
    if (state !== undefined && state.logVkey !== logVkey) {
      throw new CommandError(
        'LOG_KEY_CHANGED',
        `the state file was written for log key ${state.logVkey}, not ${logVkey}`,
      );
    }
    if (given === undefined && state === undefined) {
      ctx.out.note(`cbm: trusting the log key the ledger publishes (first use): ${logVkey}`);
    }
    checkRegistration(ctx, info, name, key);
    const save = async (s: WitnessState): Promise<void> => {
      if (stateFile !== undefined)
        await writeFileAtomic(stateFile, `${JSON.stringify(s, null, 2)}\n`);
    };
    const trusted = logKey(logVkey);
    for (;;) {
      let delay = interval;
      try {
        const result = await witnessRound({
          client,
          key,
          name,
          logKey: trusted,
          logVkey,
          state,
          save,
        });
        state = result.state;
        failures = 0;
        if (once) {
          ctx.out.result(result.round);
          ctx.out.line(describe(result.round, name));
          return EXIT_OK;
        }
        if (ctx.out.json) ctx.io.stdout.write(`${JSON.stringify(result.round)}\n`);
        else ctx.out.line(`${new Date().toISOString()} ${describe(result.round, name)}`);
      } catch (e) {
        // A fork or rollback is the alarm a witness exists for: stop. Other failures (the
        // ledger unreachable for a while) are reported and retried.
        const fatal =
          once ||
          (e instanceof CommandError &&
            ['INCONSISTENT', 'CHECKPOINT_ROLLBACK', 'CHECKPOINT_INVALID'].includes(e.code));
        if (fatal) throw e;
        failures++;
        delay = witnessDelay(interval, failures);
        ctx.out.note(
          `cbm: ${new Date().toISOString()} ${describeFailure(e, ctx.server).message}; retrying in ${delay} s`,
        );
      }
      if (!(await pause(delay))) return EXIT_OK;
    }
  },
};

/**
 * Authenticated reads (DESIGN.md §5): a party signs its request with one of its registered
 * Ed25519 statement keys under the CBM profile of RFC 9421 (protocol http-signature.ts), and
 * reads as itself. A request without signature headers reads the public view; a request with
 * them reads as the signing party or is refused with 401, never silently downgraded to anonymous
 * (a client would otherwise mistake a public answer for the complete one).
 */
import {
  HttpSignatureError,
  fromBase64,
  hasRequestSignature,
  verifyRequestSignature,
} from '@cbm-ledger/protocol';
import type { HttpRequestParts } from '@cbm-ledger/protocol';
import { keyProblem } from '@cbm-ledger/compliance';
import type { LedgerConfig } from './config.js';
import { LedgerError } from './errors.js';
import type { Clock, RegistryReader, ReplayGuard } from './ports.js';
import { Registry } from './registry.js';
import type { Viewer } from './views.js';

export interface AuthDeps {
  readonly registry: RegistryReader;
  /** Without one, signed requests are refused: replay protection is not optional. */
  readonly replay?: ReplayGuard;
  readonly clock: Clock;
  readonly config: LedgerConfig;
}

/** A request as the HTTP layer sees it, with the paths it may have been signed under. */
export interface SignedRequest extends HttpRequestParts {
  /**
   * Other spellings of `path` the client may have signed (the API Gateway stage or base-path
   * prefix, which the route's path omits). Each names the same resource.
   */
  readonly alternatePaths?: readonly string[];
}

function refused(e: HttpSignatureError): LedgerError {
  return new LedgerError(e.reason === 'expired' ? 'AUTH_EXPIRED' : 'AUTH_INVALID', e.message, {
    reason: e.reason,
  });
}

/** Thrown by the first pass's key lookup: every cheaper check has passed by then. */
class KeyLookupReached extends Error {}
const KEY_LOOKUP = new KeyLookupReached('key lookup reached');
const stopBeforeKey = (): never => {
  throw KEY_LOOKUP;
};

export class RequestAuthenticator {
  readonly #d: AuthDeps;

  constructor(deps: AuthDeps) {
    this.#d = deps;
  }

  /**
   * The viewer of `request`: anonymous without signature headers, else the party whose active
   * registered key signed it. Throws AUTH_INVALID (malformed, wrong label/alg/tag/components,
   * window, created in the future, digest, unknown or inactive key, bad signature), AUTH_EXPIRED
   * or AUTH_REPLAYED.
   */
  async viewer(request: SignedRequest): Promise<Viewer> {
    if (!hasRequestSignature(request.headers)) return {};
    const replay = this.#d.replay;
    if (replay === undefined) {
      throw new LedgerError('AUTH_INVALID', 'this server does not accept signed requests');
    }
    const now = this.#d.clock.now();
    const tag = this.#d.config.origin;
    // Every check but the key's first, so that malformed, expired or misdirected requests cost
    // no store read (security: signed garbage is cheap to send).
    try {
      verifyRequestSignature(request, { now, tag, publicKey: stopBeforeKey });
    } catch (e) {
      if (e !== KEY_LOOKUP) {
        if (e instanceof HttpSignatureError) throw refused(e);
        throw e;
      }
    }
    const registry = Registry.fromSnapshot(await this.#d.registry.read());
    let party: string | undefined;
    const publicKey = (keyid: string): Uint8Array => {
      const owner = registry.key(keyid);
      if (owner === undefined) {
        throw new LedgerError('AUTH_INVALID', `key ${keyid} is not registered`, {
          reason: 'key',
        });
      }
      if (owner.key.status !== 'active') {
        throw new LedgerError('AUTH_INVALID', `key ${keyid} is ${owner.key.status}`, {
          reason: 'key',
        });
      }
      // Active but outside its interval: a recovered key in its veto period, or an old key a
      // recovery superseded.
      const problem = keyProblem(owner.key, owner.party.id, now);
      if (problem !== undefined) {
        throw new LedgerError('AUTH_INVALID', problem.detail, { reason: 'key' });
      }
      party = owner.party.id;
      return fromBase64(owner.key.publicKey, 32);
    };
    const options = { now, tag, publicKey };
    const paths = [request.path, ...(request.alternatePaths ?? [])];
    let verified: ReturnType<typeof verifyRequestSignature> | undefined;
    for (let i = 0; verified === undefined; i++) {
      try {
        verified = verifyRequestSignature({ ...request, path: paths[i]! }, options);
      } catch (e) {
        if (!(e instanceof HttpSignatureError)) throw e;
        // Only the signature itself depends on the path: try the next spelling of it.
        if (e.reason !== 'signature' || i + 1 >= paths.length) throw refused(e);
      }
    }
    if (!(await replay.claim(verified.keyid, verified.nonce, verified.expires))) {
      throw new LedgerError('AUTH_REPLAYED', 'this nonce was used already with this key');
    }
    return { party: party! };
  }
}

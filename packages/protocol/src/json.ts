import { ErrorCode, ProtocolError } from './errors.js';

export interface ParseJsonOptions {
  /** Deepest nesting of arrays and objects accepted; the top-level container is depth 1. */
  maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 64;

/**
 * Parses JSON text (RFC 8259) strictly, for input that was signed as bytes.
 *
 * Security: a signature covers the exact bytes, and every verifier — ours, a Go or Python one —
 * must read the same value from them. So we reject everything on which common parsers disagree:
 * duplicate object keys (first-wins vs last-wins), lone UTF-16 surrogates (replaced, kept or
 * rejected depending on the parser), numbers whose magnitude exceeds Number.MAX_SAFE_INTEGER
 * (exact in an int64 or bignum decoder, rounded in JavaScript), a byte-order mark, and nesting
 * deeper than `maxDepth` (stack exhaustion). Everything JSON.parse rejects is rejected too, and
 * an accepted text yields exactly JSON.parse's value (including an own `__proto__` key).
 *
 * Fractional numbers are accepted as IEEE-754 doubles; schemas decide where they are allowed.
 *
 * Throws only ProtocolError MALFORMED, with the JSON path of the offending value where known.
 */
export function parseJsonStrict(text: string, opts?: ParseJsonOptions): unknown {
  if (typeof text !== 'string') {
    throw new ProtocolError(ErrorCode.MALFORMED, 'JSON: input is not a string');
  }
  const maxDepth = opts?.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 0) {
    throw new ProtocolError(ErrorCode.MALFORMED, 'JSON: maxDepth must be a non-negative integer');
  }
  if (text.charCodeAt(0) === 0xfeff) {
    throw new ProtocolError(ErrorCode.MALFORMED, 'JSON: byte-order mark not allowed', '$');
  }
  const parser = new Parser(text, maxDepth);
  try {
    return parser.parseDocument();
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    // Defensive: e.g. a RangeError from the engine's stack if a caller set a huge maxDepth.
    throw new ProtocolError(ErrorCode.MALFORMED, 'JSON: cannot parse', parser.currentPath());
  }
}

const IDENTIFIER_RE = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `$.a.b[0]`, with bracketed JSON strings for keys that are not plain identifiers. */
function formatPath(segments: readonly (string | number)[]): string {
  let p = '$';
  for (const s of segments) {
    if (typeof s === 'number') p += `[${s}]`;
    else if (IDENTIFIER_RE.test(s)) p += `.${s}`;
    else p += `[${JSON.stringify(s)}]`;
  }
  return p;
}

// Character codes used by the scanner.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Recursive descent over the UTF-16 code units of the text; one pass builds the value. */
class Parser {
  private pos = 0;
  private depth = 0;
  /** Keys and indices from the root to the value being parsed, for error paths only. */
  private readonly path: (string | number)[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  currentPath(): string {
    return formatPath(this.path);
  }

  private fail(message: string): never {
    throw new ProtocolError(
      ErrorCode.MALFORMED,
      `JSON: ${message} at offset ${this.pos}`,
      this.currentPath(),
    );
  }

  parseDocument(): unknown {
    this.skipWhitespace();
    const value = this.parseValue();
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.fail('unexpected data after the value');
    return value;
  }

  private skipWhitespace(): void {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const c = t.charCodeAt(p);
      // JSON whitespace is exactly space, tab, LF and CR.
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  private parseValue(): unknown {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case LBRACE:
        return this.parseObject();
      case LBRACKET:
        return this.parseArray();
      case QUOTE:
        return this.parseString();
      case 0x74: // t
        return this.parseLiteral('true', true);
      case 0x66: // f
        return this.parseLiteral('false', false);
      case 0x6e: // n
        return this.parseLiteral('null', null);
      default:
        if (c === MINUS || isDigit(c)) return this.parseNumber();
        return this.fail(Number.isNaN(c) ? 'unexpected end of input' : 'unexpected character');
    }
  }

  private parseLiteral<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('invalid literal');
    this.pos += word.length;
    return value;
  }

  private enter(): void {
    if (++this.depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
  }

  private parseObject(): Record<string, unknown> {
    this.enter();
    this.pos++; // {
    const obj: Record<string, unknown> = {};
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === RBRACE) {
      this.pos++;
      this.depth--;
      return obj;
    }
    for (;;) {
      if (this.text.charCodeAt(this.pos) !== QUOTE) this.fail('expected a string key');
      const key = this.parseString();
      this.path.push(key);
      // Object.hasOwn also sees a previously defined own `__proto__`.
      if (Object.hasOwn(obj, key)) this.fail('duplicate key');
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== COLON) this.fail("expected ':'");
      this.pos++;
      this.skipWhitespace();
      const value = this.parseValue();
      if (key === '__proto__') {
        // Plain assignment would replace the prototype; JSON.parse creates an own property.
        Object.defineProperty(obj, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        obj[key] = value;
      }
      this.path.pop();
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === COMMA) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === RBRACE) {
        this.pos++;
        this.depth--;
        return obj;
      } else {
        this.fail("expected ',' or '}'");
      }
    }
  }

  private parseArray(): unknown[] {
    this.enter();
    this.pos++; // [
    const arr: unknown[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === RBRACKET) {
      this.pos++;
      this.depth--;
      return arr;
    }
    const level = this.path.length;
    for (;;) {
      this.path[level] = arr.length;
      arr.push(this.parseValue());
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === COMMA) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === RBRACKET) {
        this.pos++;
        this.depth--;
        this.path.length = level;
        return arr;
      } else {
        this.fail("expected ',' or ']'");
      }
    }
  }

  private parseString(): string {
    const t = this.text;
    let p = ++this.pos; // past the opening quote
    let out = '';
    let runStart = p;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === QUOTE) {
        this.pos = p + 1;
        // Common case, no escapes: `out` is empty and this is one slice of the source.
        return out + t.slice(runStart, p);
      }
      if (c === BACKSLASH) {
        out += t.slice(runStart, p);
        this.pos = p;
        out += this.parseEscape();
        p = this.pos;
        runStart = p;
      } else if (c >= 0x20 && (c < 0xd800 || c > 0xdfff)) {
        p++;
      } else if (c >= 0xd800 && c <= 0xdfff) {
        this.pos = p;
        p = this.checkRawSurrogate(c);
      } else {
        this.pos = p;
        this.fail(Number.isNaN(c) ? 'unterminated string' : 'control character in string');
      }
    }
  }

  /** Decodes one escape at this.pos (a backslash) and advances past it. */
  private parseEscape(): string {
    const t = this.text;
    const p = this.pos;
    const esc = t.charCodeAt(p + 1);
    this.pos = p + 2;
    switch (esc) {
      case 0x22: // "
        return '"';
      case 0x5c: // \
        return '\\';
      case 0x2f: // /
        return '/';
      case 0x62: // b
        return '\b';
      case 0x66: // f
        return '\f';
      case 0x6e: // n
        return '\n';
      case 0x72: // r
        return '\r';
      case 0x74: // t
        return '\t';
      case 0x75: {
        // u: four hex digits; surrogates must come as an escaped high-low pair.
        this.pos = p;
        const unit = this.readHex4(p + 2);
        if (unit >= 0xdc00 && unit <= 0xdfff) this.fail('unpaired low surrogate escape');
        if (unit < 0xd800 || unit > 0xdbff) {
          this.pos = p + 6;
          return String.fromCharCode(unit);
        }
        if (t.charCodeAt(p + 6) !== BACKSLASH || t.charCodeAt(p + 7) !== 0x75) {
          this.fail('unpaired high surrogate escape');
        }
        const low = this.readHex4(p + 8);
        if (low < 0xdc00 || low > 0xdfff) this.fail('unpaired high surrogate escape');
        this.pos = p + 12;
        return String.fromCharCode(unit, low);
      }
      default:
        this.pos = p;
        return this.fail('invalid escape');
    }
  }

  /** A raw surrogate (only possible when the text came from a JS string, not from UTF-8) must be
   * a well-formed pair. Returns the position after it. */
  private checkRawSurrogate(c: number): number {
    const p = this.pos;
    if (c <= 0xdbff) {
      const next = this.text.charCodeAt(p + 1);
      if (next >= 0xdc00 && next <= 0xdfff) return p + 2;
    }
    return this.fail('lone surrogate in string');
  }

  private readHex4(at: number): number {
    const t = this.text;
    const a = hexValue(t.charCodeAt(at));
    const b = hexValue(t.charCodeAt(at + 1));
    const c = hexValue(t.charCodeAt(at + 2));
    const d = hexValue(t.charCodeAt(at + 3));
    if ((a | b | c | d) < 0) this.fail('invalid \\u escape');
    return (a << 12) | (b << 8) | (c << 4) | d;
  }

  private parseNumber(): number {
    const t = this.text;
    const start = this.pos;
    let p = start;
    if (t.charCodeAt(p) === MINUS) p++;
    // Integer part: 0, or a non-zero digit then digits (no leading zeros).
    const first = t.charCodeAt(p);
    if (first === DIGIT_0) {
      p++;
    } else if (isDigit(first)) {
      while (isDigit(t.charCodeAt(p))) p++;
    } else {
      this.pos = p;
      this.fail('invalid number');
    }
    if (t.charCodeAt(p) === DOT) {
      p++;
      if (!isDigit(t.charCodeAt(p))) {
        this.pos = p;
        this.fail('invalid number');
      }
      while (isDigit(t.charCodeAt(p))) p++;
    }
    const e = t.charCodeAt(p);
    if (e === LOWER_E || e === UPPER_E) {
      p++;
      const sign = t.charCodeAt(p);
      if (sign === PLUS || sign === MINUS) p++;
      if (!isDigit(t.charCodeAt(p))) {
        this.pos = p;
        this.fail('invalid number');
      }
      while (isDigit(t.charCodeAt(p))) p++;
    }
    // Number() on the validated JSON number text rounds exactly as JSON.parse does.
    const value = Number(t.slice(start, p));
    if (!(Math.abs(value) <= Number.MAX_SAFE_INTEGER)) {
      this.fail('number magnitude exceeds 2^53-1');
    }
    this.pos = p;
    return value;
  }
}

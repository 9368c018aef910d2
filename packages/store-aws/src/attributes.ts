/**
 * DynamoDB attribute values, written and read by hand: @aws-sdk/util-dynamodb is not a dependency,
 * and every item here has a fixed shape, so explicit accessors are shorter than a generic
 * marshaller and fail loudly on a corrupted item instead of returning `undefined` fields.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

export const S = (value: string): AttributeValue => ({ S: value });
export const N = (value: number): AttributeValue => ({ N: String(value) });
export const B = (value: Uint8Array): AttributeValue => ({ B: value });
export const SL = (values: readonly string[]): AttributeValue => ({ L: values.map(S) });
export const BL = (values: readonly Uint8Array[]): AttributeValue => ({ L: values.map(B) });
export const NULL: AttributeValue = { NULL: true };

export class CorruptItemError extends Error {
  override readonly name = 'CorruptItemError';
}

function attr(item: Item, name: string): AttributeValue {
  const value = item[name];
  if (value === undefined) throw new CorruptItemError(`item lacks attribute ${name}`);
  return value;
}

export function getS(item: Item, name: string): string {
  const v = attr(item, name).S;
  if (v === undefined) throw new CorruptItemError(`attribute ${name} is not a string`);
  return v;
}

export function getOptS(item: Item, name: string): string | undefined {
  return item[name] === undefined ? undefined : getS(item, name);
}

export function getN(item: Item, name: string): number {
  const v = attr(item, name).N;
  const n = v === undefined ? NaN : Number(v);
  if (!Number.isSafeInteger(n))
    throw new CorruptItemError(`attribute ${name} is not a safe integer`);
  return n;
}

export function getOptN(item: Item, name: string): number | undefined {
  return item[name] === undefined ? undefined : getN(item, name);
}

export function getB(item: Item, name: string): Uint8Array {
  const v = attr(item, name).B;
  if (v === undefined) throw new CorruptItemError(`attribute ${name} is not binary`);
  return v;
}

export function getOptB(item: Item, name: string): Uint8Array | undefined {
  return item[name] === undefined ? undefined : getB(item, name);
}

export function getSL(item: Item, name: string): string[] {
  const list = attr(item, name).L;
  if (list === undefined) throw new CorruptItemError(`attribute ${name} is not a list`);
  return list.map((v) => {
    if (v.S === undefined) throw new CorruptItemError(`attribute ${name} holds a non-string`);
    return v.S;
  });
}

export function getBL(item: Item, name: string): Uint8Array[] {
  const list = attr(item, name).L;
  if (list === undefined) throw new CorruptItemError(`attribute ${name} is not a list`);
  return list.map((v) => {
    if (v.B === undefined) throw new CorruptItemError(`attribute ${name} holds a non-binary`);
    return v.B;
  });
}

/** A string, or null for an attribute stored as NULL. */
export function getSOrNull(item: Item, name: string): string | null {
  const v = attr(item, name);
  if (v.NULL === true) return null;
  if (v.S === undefined) throw new CorruptItemError(`attribute ${name} is neither string nor null`);
  return v.S;
}

/** Zero-padded decimal, so that string order of sort keys is numeric order. */
export function pad(n: number, width = 16): string {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`not a non-negative safe integer: ${n}`);
  return String(n).padStart(width, '0');
}

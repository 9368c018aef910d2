/**
 * GeoJSON geometry objects (RFC 7946 §3.1), the subset an activity area needs: Point,
 * MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon. GeometryCollection, `bbox` and
 * foreign members are refused, so that every geometry is a flat, bounded shape.
 */
import { describe, fail, isPlainObject, memberPath, withSchema } from './validate.js';
import type { JsonSchema, Validator } from './validate.js';
import { ErrorCode, ProtocolError } from '../errors.js';

/** `[longitude, latitude]` or `[longitude, latitude, altitude]`, WGS 84. */
export type Position = [number, number] | [number, number, number];

export type Geometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'MultiPoint'; coordinates: Position[] }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] };

/** Most positions one geometry may hold, whatever its nesting. */
export const MAX_POSITIONS = 10_000;

// Nesting depth of `coordinates` below the array of positions, and what a leaf list must be.
const SHAPES = {
  Point: { depth: 0, leaf: 'position' },
  MultiPoint: { depth: 1, leaf: 'points' },
  LineString: { depth: 1, leaf: 'line' },
  MultiLineString: { depth: 2, leaf: 'line' },
  Polygon: { depth: 2, leaf: 'ring' },
  MultiPolygon: { depth: 3, leaf: 'ring' },
} as const;

type Leaf = 'position' | 'points' | 'line' | 'ring';

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function position(value: unknown, path: string): Position {
  if (!Array.isArray(value) || value.length < 2 || value.length > 3) {
    fail(path, 'a position is [longitude, latitude] or [longitude, latitude, altitude]');
  }
  const [lon, lat, alt] = value as unknown[];
  if (!isFiniteNumber(lon) || lon < -180 || lon > 180) fail(`${path}[0]`, 'longitude out of range');
  if (!isFiniteNumber(lat) || lat < -90 || lat > 90) fail(`${path}[1]`, 'latitude out of range');
  if (value.length === 3 && !isFiniteNumber(alt)) fail(`${path}[2]`, 'altitude must be a number');
  return value as Position;
}

const coordinate = (min: number, max: number): JsonSchema => ({
  type: 'number',
  minimum: min,
  maximum: max,
});
const POSITION_SCHEMA: JsonSchema = {
  type: 'array',
  prefixItems: [coordinate(-180, 180), coordinate(-90, 90), { type: 'number' }],
  minItems: 2,
  maxItems: 3,
  description: '[longitude, latitude] or [longitude, latitude, altitude], WGS 84.',
};
const positions = (min: number, description?: string): JsonSchema => ({
  type: 'array',
  items: POSITION_SCHEMA,
  minItems: min,
  ...(description ? { description } : {}),
});
const nonEmpty = (items: JsonSchema): JsonSchema => ({ type: 'array', items, minItems: 1 });
const LINE = positions(2);
const RING = positions(4, 'A linear ring: it ends where it starts.');
const COORDINATES: Record<keyof typeof SHAPES, JsonSchema> = {
  Point: POSITION_SCHEMA,
  MultiPoint: positions(1),
  LineString: LINE,
  MultiLineString: nonEmpty(LINE),
  Polygon: nonEmpty(RING),
  MultiPolygon: nonEmpty(nonEmpty(RING)),
};

const GEOMETRY_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['type', 'coordinates'],
  oneOf: Object.entries(COORDINATES).map(([type, coordinates]) => ({
    properties: { type: { const: type }, coordinates },
  })),
  properties: { type: { enum: Object.keys(SHAPES) }, coordinates: {} },
  additionalProperties: false,
  description: `GeoJSON geometry (RFC 7946 §3.1) of at most ${MAX_POSITIONS} positions; no GeometryCollection, bbox or foreign members.`,
};

export const geometry: Validator<Geometry> = withSchema(GEOMETRY_SCHEMA, (value, path) => {
  if (!isPlainObject(value))
    fail(path, `expected a GeoJSON geometry object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (key !== 'type' && key !== 'coordinates') {
      throw new ProtocolError(ErrorCode.UNKNOWN_FIELD, 'unknown field', memberPath(path, key));
    }
  }
  const own = (k: string): boolean => Object.prototype.hasOwnProperty.call(value, k);
  if (!own('type')) fail(`${path}.type`, 'required');
  const type = value.type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(SHAPES, type)) {
    fail(`${path}.type`, `must be one of ${Object.keys(SHAPES).join(', ')}`);
  }
  if (!own('coordinates')) fail(`${path}.coordinates`, 'required');
  const shape = SHAPES[type as keyof typeof SHAPES];
  let positions = 0;

  const leafList = (v: unknown, p: string, leaf: Leaf): void => {
    if (leaf === 'position') {
      if (++positions > MAX_POSITIONS) fail(p, `more than ${MAX_POSITIONS} positions`);
      position(v, p);
      return;
    }
    if (!Array.isArray(v)) fail(p, 'expected an array of positions');
    const min = leaf === 'ring' ? 4 : leaf === 'line' ? 2 : 1;
    if (v.length < min) fail(p, `fewer than ${min} positions`);
    if (positions + v.length > MAX_POSITIONS) fail(p, `more than ${MAX_POSITIONS} positions`);
    positions += v.length;
    for (let i = 0; i < v.length; i++) position(v[i], `${p}[${i}]`);
    if (leaf === 'ring') {
      const first = v[0] as number[];
      const last = v[v.length - 1] as number[];
      if (first.length !== last.length || first.some((c, i) => c !== last[i])) {
        fail(p, 'a linear ring must end where it starts');
      }
    }
  };

  const walk = (v: unknown, p: string, depth: number): void => {
    if (depth === 1 || shape.depth === 0) {
      leafList(v, p, shape.leaf);
      return;
    }
    if (!Array.isArray(v) || v.length === 0) fail(p, 'expected a non-empty array');
    if (v.length > MAX_POSITIONS) fail(p, `more than ${MAX_POSITIONS} items`);
    for (let i = 0; i < v.length; i++) walk(v[i], `${p}[${i}]`, depth - 1);
  };

  walk(value.coordinates, `${path}.coordinates`, shape.depth);
  return value as Geometry;
});

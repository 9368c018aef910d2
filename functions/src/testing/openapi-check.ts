/**
 * A small, dependency-free checker for our OpenAPI 3.1 document: structural validation of the
 * document, and validation of real responses against it (status documented for the operation,
 * media type documented, body valid against the schema). It implements the JSON Schema subset
 * the document uses and refuses any other keyword, so a schema can never be silently unchecked.
 */
import { STATEMENT_TYPES } from '@cbm-ledger/protocol';
import { openApiDocument, statementComponent } from '../routes/openapi.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

/** The document as served: openapi.json with the generated statement schemas. */
export const document = openApiDocument as unknown as Obj;

/**
 * The statement schemas (components `Statement.<type>`) use JSON Schema 2020-12 beyond this
 * checker's subset; they are built from the validators and checked by a full implementation
 * instead (Ajv, strict: openapi.test.ts and packages/protocol/test/statement-schema.test.ts).
 * No response refers to them, so no response is ever checked against them here.
 */
const GENERATED_SCHEMAS = new Set(STATEMENT_TYPES.map(statementComponent));

const SCHEMA_KEYWORDS = new Set([
  '$ref',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'pattern',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'anyOf',
  'format',
  'description',
  'examples',
  'title',
]);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean', 'null']);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Resolves a local `#/a/b` reference. */
export function resolveRef(ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`non-local $ref ${ref}`);
  let node: Json = document;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObj(node) || !(key in node)) throw new Error(`unresolvable $ref ${ref}`);
    node = node[key]!;
  }
  return node;
}

function deref(node: Json): Json {
  let current = node;
  for (let i = 0; isObj(current) && typeof current['$ref'] === 'string'; i++) {
    if (i > 16) throw new Error('$ref cycle');
    current = resolveRef(current['$ref']);
  }
  return current;
}

function checkSchema(schema: Json, where: string, problems: string[]): void {
  if (!isObj(schema)) {
    problems.push(`${where}: schema is not an object`);
    return;
  }
  for (const key of Object.keys(schema)) {
    if (!SCHEMA_KEYWORDS.has(key)) problems.push(`${where}: unsupported keyword ${key}`);
  }
  if (typeof schema['$ref'] === 'string') {
    try {
      resolveRef(schema['$ref']);
    } catch (e) {
      problems.push(`${where}: ${(e as Error).message}`);
    }
  }
  const type = schema['type'];
  for (const t of Array.isArray(type) ? type : type === undefined ? [] : [type]) {
    if (typeof t !== 'string' || !TYPES.has(t))
      problems.push(`${where}: bad type ${JSON.stringify(t)}`);
  }
  if (typeof schema['pattern'] === 'string') {
    try {
      new RegExp(schema['pattern'], 'u');
    } catch {
      problems.push(`${where}: bad pattern`);
    }
  }
  const properties = schema['properties'];
  if (properties !== undefined) {
    if (!isObj(properties)) problems.push(`${where}: properties not an object`);
    else for (const [k, v] of Object.entries(properties)) checkSchema(v, `${where}.${k}`, problems);
  }
  const required = schema['required'];
  if (required !== undefined) {
    if (!Array.isArray(required)) problems.push(`${where}: required not an array`);
    else if (isObj(properties)) {
      for (const r of required) {
        if (typeof r !== 'string' || !(r in properties)) {
          problems.push(`${where}: required ${JSON.stringify(r)} not among properties`);
        }
      }
    }
  }
  if (isObj(schema['additionalProperties'])) {
    checkSchema(schema['additionalProperties'], `${where}[*]`, problems);
  }
  if (schema['items'] !== undefined) checkSchema(schema['items'], `${where}[]`, problems);
  const anyOf = schema['anyOf'];
  if (anyOf !== undefined) {
    if (!Array.isArray(anyOf) || anyOf.length === 0) problems.push(`${where}: bad anyOf`);
    else anyOf.forEach((s, i) => checkSchema(s, `${where}|${i}`, problems));
  }
}

/** Structural problems of the document; [] when it is well formed. */
export function validateDocument(): string[] {
  const problems: string[] = [];
  const doc = document;
  if (typeof doc['openapi'] !== 'string' || !/^3\.1\.\d+$/.test(doc['openapi'])) {
    problems.push('openapi must be 3.1.x');
  }
  const info = doc['info'];
  if (!isObj(info) || typeof info['title'] !== 'string' || typeof info['version'] !== 'string') {
    problems.push('info.title and info.version are required');
  }
  const components = doc['components'];
  if (isObj(components) && isObj(components['schemas'])) {
    for (const [name, schema] of Object.entries(components['schemas'])) {
      if (GENERATED_SCHEMAS.has(name)) continue;
      checkSchema(schema, `#/components/schemas/${name}`, problems);
    }
  }
  const paths = doc['paths'];
  if (!isObj(paths)) return [...problems, 'paths must be an object'];
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    if (!path.startsWith('/')) problems.push(`${path}: must start with /`);
    if (!isObj(item)) {
      problems.push(`${path}: not an object`);
      continue;
    }
    const templateParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    for (const [method, operation] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!METHODS.includes(method)) {
        problems.push(`${where}: unknown method`);
        continue;
      }
      if (!isObj(operation)) {
        problems.push(`${where}: not an object`);
        continue;
      }
      const id = operation['operationId'];
      if (typeof id !== 'string') problems.push(`${where}: operationId missing`);
      else if (operationIds.has(id)) problems.push(`${where}: duplicate operationId ${id}`);
      else operationIds.add(id);
      const params = Array.isArray(operation['parameters']) ? operation['parameters'] : [];
      const pathParams = new Set<string>();
      for (const p of params.map(deref)) {
        if (!isObj(p) || typeof p['name'] !== 'string') {
          problems.push(`${where}: parameter without name`);
          continue;
        }
        if (
          typeof p['in'] !== 'string' ||
          !['query', 'header', 'path', 'cookie'].includes(p['in'])
        ) {
          problems.push(`${where}: parameter ${p['name']} has bad "in"`);
        }
        if (p['in'] === 'path') {
          pathParams.add(p['name']);
          if (p['required'] !== true) problems.push(`${where}: path parameter must be required`);
        }
        if (p['schema'] === undefined)
          problems.push(`${where}: parameter ${p['name']} lacks schema`);
        else checkSchema(p['schema'], `${where} ${p['name']}`, problems);
      }
      for (const t of templateParams) {
        if (!pathParams.has(t)) problems.push(`${where}: template parameter {${t}} undeclared`);
      }
      for (const p of pathParams) {
        if (!templateParams.includes(p)) problems.push(`${where}: path parameter ${p} not in path`);
      }
      const body = operation['requestBody'];
      if (body !== undefined) {
        const b = deref(body);
        if (!isObj(b) || !isObj(b['content'])) problems.push(`${where}: requestBody lacks content`);
        else {
          for (const [media, m] of Object.entries(b['content'])) {
            if (!isObj(m) || m['schema'] === undefined)
              problems.push(`${where}: ${media} lacks schema`);
            else checkSchema(m['schema'], `${where} request ${media}`, problems);
          }
        }
      }
      const responses = operation['responses'];
      if (!isObj(responses) || Object.keys(responses).length === 0) {
        problems.push(`${where}: no responses`);
        continue;
      }
      for (const [status, response] of Object.entries(responses)) {
        if (!/^[1-5]\d\d$/.test(status)) problems.push(`${where}: bad status ${status}`);
        const r = deref(response);
        if (!isObj(r) || typeof r['description'] !== 'string') {
          problems.push(`${where} ${status}: response lacks description`);
          continue;
        }
        if (r['content'] !== undefined) {
          if (!isObj(r['content'])) problems.push(`${where} ${status}: bad content`);
          else {
            for (const [media, m] of Object.entries(r['content'])) {
              if (!isObj(m) || m['schema'] === undefined) {
                problems.push(`${where} ${status}: ${media} lacks schema`);
              } else checkSchema(m['schema'], `${where} ${status} ${media}`, problems);
            }
          }
        }
      }
    }
  }
  return problems;
}

/** Errors of `value` against `schema`, with JSON paths; [] when valid. */
export function validateValue(value: unknown, schema: Json, path = '$'): string[] {
  const s = deref(schema);
  if (!isObj(s)) return [`${path}: schema is not an object`];
  const errors: string[] = [];
  if (s['anyOf'] !== undefined) {
    const options = s['anyOf'] as Json[];
    if (!options.some((o) => validateValue(value, o, path).length === 0)) {
      errors.push(`${path}: matches no alternative`);
    }
  }
  if ('const' in s && JSON.stringify(s['const']) !== JSON.stringify(value)) {
    errors.push(`${path}: must be ${JSON.stringify(s['const'])}`);
  }
  if (Array.isArray(s['enum']) && !s['enum'].some((e) => e === value)) {
    errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  }
  const type = s['type'];
  if (type !== undefined) {
    const types = Array.isArray(type) ? type : [type];
    if (!types.some((t) => hasType(value, t as string))) {
      errors.push(`${path}: expected ${JSON.stringify(type)}, got ${describeType(value)}`);
      return errors;
    }
  }
  if (typeof value === 'string') {
    if (typeof s['pattern'] === 'string' && !new RegExp(s['pattern'], 'u').test(value)) {
      errors.push(`${path}: ${JSON.stringify(value)} does not match ${s['pattern']}`);
    }
    if (s['format'] === 'date-time' && Number.isNaN(Date.parse(value))) {
      errors.push(`${path}: not a date-time`);
    }
  }
  if (typeof value === 'number') {
    if (typeof s['minimum'] === 'number' && value < s['minimum'])
      errors.push(`${path}: below minimum`);
    if (typeof s['maximum'] === 'number' && value > s['maximum'])
      errors.push(`${path}: above maximum`);
  }
  if (Array.isArray(value)) {
    if (typeof s['minItems'] === 'number' && value.length < s['minItems'])
      errors.push(`${path}: too few items`);
    if (typeof s['maxItems'] === 'number' && value.length > s['maxItems'])
      errors.push(`${path}: too many items`);
    if (s['items'] !== undefined) {
      value.forEach((item, i) => errors.push(...validateValue(item, s['items']!, `${path}[${i}]`)));
    }
  }
  if (isObj(value)) {
    const obj = value;
    const properties = isObj(s['properties']) ? s['properties'] : {};
    for (const r of (s['required'] as string[] | undefined) ?? []) {
      if (!(r in obj)) errors.push(`${path}: missing ${r}`);
    }
    for (const [k, v] of Object.entries(obj)) {
      if (k in properties) errors.push(...validateValue(v, properties[k]!, `${path}.${k}`));
      else if (s['additionalProperties'] === false)
        errors.push(`${path}: unexpected property ${k}`);
      else if (isObj(s['additionalProperties'])) {
        errors.push(...validateValue(v, s['additionalProperties'], `${path}.${k}`));
      }
    }
  }
  return errors;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObj(value);
    default:
      return false;
  }
}

function describeType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** The documented path template matching a concrete path, or undefined. */
export function findPathTemplate(path: string): string | undefined {
  const segments = path.split('/');
  for (const template of Object.keys(document['paths'] as Obj)) {
    const t = template.split('/');
    if (t.length !== segments.length) continue;
    if (t.every((part, i) => /^\{.+\}$/.test(part) || part === segments[i])) return template;
  }
  return undefined;
}

export interface ObservedResponse {
  method: string;
  /** Request path without the query string. */
  path: string;
  status: number;
  headers: Record<string, string | number | boolean | undefined>;
  body: string;
}

function headerValue(headers: ObservedResponse['headers'], name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name.toLowerCase() && v !== undefined) return String(v);
  }
  return undefined;
}

/**
 * Errors of one observed response against the document; [] when it conforms. Undocumented paths
 * may only answer 404 problem+json; a documented path with an undocumented method only 405
 * problem+json with Allow.
 */
export function checkResponse(r: ObservedResponse): string[] {
  const where = `${r.method} ${r.path} → ${r.status}`;
  const template = findPathTemplate(r.path);
  const contentType = headerValue(r.headers, 'content-type');
  const media = contentType?.split(';')[0]?.trim().toLowerCase();
  const problemSchema = { $ref: '#/components/schemas/Problem' };
  const asProblem = (): string[] => {
    if (media !== 'application/problem+json')
      return [`${where}: not problem+json (${contentType})`];
    return validateValue(JSON.parse(r.body), problemSchema).map((e) => `${where}: ${e}`);
  };
  if (template === undefined) {
    // A path no operation has is 404, or 400 MALFORMED when it cannot name one (dot segments).
    const malformed =
      r.status === 400 && (JSON.parse(r.body) as { code?: unknown }).code === 'MALFORMED';
    if (r.status !== 404 && !malformed) return [`${where}: undocumented path answered ${r.status}`];
    return asProblem();
  }
  const item = (document['paths'] as Obj)[template] as Obj;
  const operation = item[r.method.toLowerCase()];
  if (!isObj(operation)) {
    if (r.status !== 405) return [`${where}: undocumented method answered ${r.status}`];
    if (headerValue(r.headers, 'allow') === undefined) return [`${where}: 405 without Allow`];
    return asProblem();
  }
  const responses = operation['responses'] as Obj;
  const documented = responses[String(r.status)];
  if (documented === undefined) return [`${where}: status not documented`];
  const response = deref(documented) as Obj;
  const errors: string[] = [];
  if (isObj(response['headers'])) {
    for (const [name, h] of Object.entries(response['headers'])) {
      const hd = deref(h) as Obj;
      if (hd['required'] === true && headerValue(r.headers, name) === undefined) {
        errors.push(`${where}: missing header ${name}`);
      }
    }
  }
  const content = response['content'];
  if (!isObj(content)) {
    if (r.body !== '') errors.push(`${where}: body where none is documented`);
    return errors;
  }
  if (media === undefined || !isObj(content[media])) {
    return [...errors, `${where}: media type ${String(contentType)} not documented`];
  }
  const schema = content[media]['schema']!;
  let value: unknown = r.body;
  if (media.endsWith('json')) {
    try {
      value = JSON.parse(r.body);
    } catch {
      return [...errors, `${where}: body is not JSON`];
    }
  }
  return [...errors, ...validateValue(value, schema).map((e) => `${where}: ${e}`)];
}

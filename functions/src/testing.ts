/**
 * `@cbm-ledger/functions/testing`: a ledger on memory stores behind the real API handler, and the
 * OpenAPI checker every test response passes through, for the tests of this package and of the
 * runtimes built on it (packages/local). Not part of the main entry point: no Lambda bundle
 * carries it.
 */
export * from './testing/fixture.js';
export * from './testing/openapi-check.js';

/**
 * The same port conformance suite against the domain's in-memory adapters, so that tests written
 * against memory stores describe what the DynamoDB stores do, and the other way round.
 */
import { createMemoryStores } from '@cbm-ledger/ledger/testing';
import { describePortConformance } from './support/conformance.js';

describePortConformance('memory', () => Promise.resolve(createMemoryStores()));

/** CBM_REGISTRY_MAX_AGE_MS: how stale admission's registry copy may be on Lambda. */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, readSettings } from '../src/lambda/environment.js';

const ORIGIN = 'cbm-ledger.test/lambda';

describe('CBM_REGISTRY_MAX_AGE_MS', () => {
  it('defaults to one second and takes any whole number of ms, 0 meaning always read', () => {
    expect(readSettings({ CBM_ORIGIN: ORIGIN }).config.registryMaxAgeMs).toBe(1000);
    expect(
      readSettings({ CBM_ORIGIN: ORIGIN, CBM_REGISTRY_MAX_AGE_MS: '0' }).config.registryMaxAgeMs,
    ).toBe(0);
    expect(
      readSettings({ CBM_ORIGIN: ORIGIN, CBM_REGISTRY_MAX_AGE_MS: '250' }).config.registryMaxAgeMs,
    ).toBe(250);
  });

  it.each(['-1', '1.5', '1e3', 'soon', '010', '99999999'])('refuses %j', (value) => {
    expect(() => readSettings({ CBM_ORIGIN: ORIGIN, CBM_REGISTRY_MAX_AGE_MS: value })).toThrow(
      ConfigurationError,
    );
  });
});

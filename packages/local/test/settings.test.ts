import { describe, expect, it } from 'vitest';
import { SettingsError, readSettings } from '../src/index.js';

describe('runtime settings from the environment', () => {
  it('defaults to DESIGN.md §8', () => {
    expect(readSettings({}, '/work')).toEqual({
      host: '127.0.0.1',
      port: 8787,
      dataDir: '/work/.data',
      origin: 'cbm-ledger.local/dev',
      table: 'cbm-ledger',
      bucket: 'cbm-ledger-evidence',
      dynamoEndpoint: undefined,
      s3Endpoint: undefined,
    });
  });

  it('reads every variable', () => {
    expect(
      readSettings(
        {
          PORT: '0',
          CBM_DATA_DIR: 'var/ledger',
          CBM_ORIGIN: 'cbm-ledger.example/mena',
          CBM_TABLE: 'ledger-table',
          CBM_BUCKET: 'ledger-bucket',
          CBM_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
          CBM_S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com',
          CBM_MAX_MERGE_DELAY_SECONDS: '600',
          CBM_RECOVERY_DELAY_DAYS: '2',
          CBM_MAX_SIGNING_DAYS: '30',
          CBM_EVIDENCE_QUOTA_COUNT: '5',
          CBM_EVIDENCE_QUOTA_BYTES: '1048576',
        },
        '/srv',
      ),
    ).toEqual({
      host: '127.0.0.1',
      port: 0,
      dataDir: '/srv/var/ledger',
      origin: 'cbm-ledger.example/mena',
      table: 'ledger-table',
      bucket: 'ledger-bucket',
      dynamoEndpoint: 'http://127.0.0.1:8000',
      s3Endpoint: 'https://s3.eu-west-1.amazonaws.com',
      maxMergeDelayMs: 600_000,
      recoveryDelayMs: 2 * 86_400_000,
      maxSigningMs: 30 * 86_400_000,
      evidenceQuotaCount: 5,
      evidenceQuotaBytes: 1_048_576,
    });
  });

  it.each([
    [{ PORT: '65536' }, /PORT/],
    [{ PORT: '80a' }, /PORT/],
    [{ PORT: '-1' }, /PORT/],
    [{ CBM_ORIGIN: 'https://cbm.example/x' }, /CBM_ORIGIN/],
    [{ CBM_ORIGIN: 'two words' }, /CBM_ORIGIN/],
    [{ CBM_ORIGIN: 'a+b' }, /CBM_ORIGIN/],
    [{ CBM_BUCKET: 'Upper_Case' }, /CBM_BUCKET/],
    [{ CBM_TABLE: 'x' }, /CBM_TABLE/],
    [{ CBM_DYNAMODB_ENDPOINT: 'localhost:8000' }, /CBM_DYNAMODB_ENDPOINT/],
    [{ CBM_S3_ENDPOINT: 'ftp://127.0.0.1' }, /CBM_S3_ENDPOINT/],
    [{ CBM_MAX_MERGE_DELAY_SECONDS: '0' }, /CBM_MAX_MERGE_DELAY_SECONDS/],
    [{ CBM_RECOVERY_DELAY_DAYS: '0' }, /CBM_RECOVERY_DELAY_DAYS/],
    [{ CBM_RECOVERY_DELAY_DAYS: '366' }, /CBM_RECOVERY_DELAY_DAYS/],
    [{ CBM_RECOVERY_DELAY_DAYS: '1.5' }, /CBM_RECOVERY_DELAY_DAYS/],
    [{ CBM_MAX_SIGNING_DAYS: '0' }, /CBM_MAX_SIGNING_DAYS/],
    [{ CBM_MAX_SIGNING_DAYS: '366' }, /CBM_MAX_SIGNING_DAYS/],
    [{ CBM_MAX_SIGNING_DAYS: '7d' }, /CBM_MAX_SIGNING_DAYS/],
    [{ CBM_EVIDENCE_QUOTA_COUNT: '0' }, /CBM_EVIDENCE_QUOTA_COUNT/],
    [{ CBM_EVIDENCE_QUOTA_COUNT: 'many' }, /CBM_EVIDENCE_QUOTA_COUNT/],
    [{ CBM_EVIDENCE_QUOTA_BYTES: '-5' }, /CBM_EVIDENCE_QUOTA_BYTES/],
    [{ CBM_EVIDENCE_QUOTA_BYTES: '1e9' }, /CBM_EVIDENCE_QUOTA_BYTES/],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(() => readSettings(env)).toThrow(SettingsError);
    expect(() => readSettings(env)).toThrow(message);
  });
});

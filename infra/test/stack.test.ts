import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Match } from 'aws-cdk-lib/assertions';
import { TTL_ATTRIBUTE, layout, tableDefinition } from '@cbm-ledger/store-aws';
import { API_ROUTES } from '../src/constructs/ledger-api.js';
import { PUBLIC_QUERY_PARAMETERS } from '../src/constructs/public-view.js';
import { BUCKET_GUARDED_ACTIONS } from '../src/constructs/evidence-store.js';
import { BODY_SIZE_LABEL, VIEWER_IP_HEADER } from '../src/constructs/ledger-api.js';
import { INTEGRATOR_ONLY_PARTITIONS } from '../src/constructs/ledger-store.js';
import { INTEGRATION_INCIDENT_METRIC } from '../src/constructs/observability.js';
import { ORIGIN_VERIFY_HEADER } from '../src/constructs/origin-verify.js';
import type { LedgerFunction } from '../src/constructs/ledger-function.js';
import { REPO_ROOT } from '../src/paths.js';
import { removeSynthOutputs, synth } from './support/synth.js';
import type { Synthesized } from './support/synth.js';
import type { Statement } from './support/template.js';
import {
  actionsOf,
  byService,
  logicalId,
  resourcesOfType,
  roleStatements,
} from './support/template.js';

/** A synthesis bundles every function with esbuild: seconds, more on a loaded machine. */
const SYNTH_TIMEOUT = 180_000;

afterAll(removeSynthOutputs);
const dev = synth({ stage: 'dev' });
const prod = synth({
  stage: 'prod',
  origin: 'cbm-ledger.example/mena',
  alarmEmail: 'ops@example.org',
});

type Name = keyof Synthesized['stack']['functions'] | 'provisioner';
function fnOf(s: Synthesized, name: Name): LedgerFunction {
  return name === 'provisioner' ? s.stack.keys.provisioner : s.stack.functions[name];
}
function actions(s: Synthesized, name: Name): string[] {
  return actionsOf(roleStatements(s, logicalId(s, fnOf(s, name).role)));
}
function fnProps(s: Synthesized, name: Name): Record<string, unknown> {
  const props = s.json.Resources[logicalId(s, fnOf(s, name).function)]?.Properties;
  if (props === undefined) throw new Error(`no ${name} function`);
  return props;
}
function env(s: Synthesized, name: Name): Record<string, unknown> {
  return (fnProps(s, name)['Environment'] as { Variables: Record<string, unknown> }).Variables;
}

/** The one resource of a type. */
function only(s: Synthesized, type: string): { Properties?: Record<string, unknown> } {
  const all = resourcesOfType(s, type);
  expect(all, type).toHaveLength(1);
  return (all[0] as (typeof all)[number])[1];
}

/** Each Allow statement of a role that writes DynamoDB: sid → [actions, LeadingKeys]. */
function writePaths(s: Synthesized, name: Name): Record<string, [string[], string[]]> {
  const out: Record<string, [string[], string[]]> = {};
  for (const st of roleStatements(s, logicalId(s, fnOf(s, name).role))) {
    const acts = Array.isArray(st.Action) ? st.Action : [st.Action];
    if (st.Effect !== 'Allow' || !acts.some((x) => /^dynamodb:(Put|BatchWrite|Update)/.test(x)))
      continue;
    const keys = st.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
    out[st.Sid ?? '?'] = [acts, (Array.isArray(keys) ? keys : [keys]) as string[]];
  }
  return out;
}

const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const READS = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];

describe.each([
  ['dev', dev],
  ['prod', prod],
])('%s stack', (stage, s) => {
  const t = s.template;

  describe('LedgerStore (DynamoDB)', () => {
    it('mirrors store-aws tableDefinition() exactly: keys, attributes, the sparse pending index', () => {
      const def = tableDefinition('ignored');
      const sortByName = <T extends { AttributeName?: string }>(xs: T[]): T[] =>
        [...xs].sort((a, b) => String(a.AttributeName).localeCompare(String(b.AttributeName)));
      const [[, table]] = resourcesOfType(s, 'AWS::DynamoDB::GlobalTable') as unknown as [
        [string, { Properties: Record<string, unknown> }],
      ];
      const p = table.Properties;
      expect(resourcesOfType(s, 'AWS::DynamoDB::GlobalTable')).toHaveLength(1);
      expect(resourcesOfType(s, 'AWS::DynamoDB::Table')).toHaveLength(0);
      expect(p['KeySchema']).toEqual(def.KeySchema);
      expect(sortByName(p['AttributeDefinitions'] as never[])).toEqual(
        sortByName(def.AttributeDefinitions as never[]),
      );
      expect(p['GlobalSecondaryIndexes']).toEqual(
        def.GlobalSecondaryIndexes?.map((g) => ({
          IndexName: g.IndexName,
          KeySchema: g.KeySchema,
          Projection: g.Projection,
        })),
      );
      expect(p['BillingMode']).toBe(def.BillingMode);
      // Nonce claims of signed reads expire through TTL on store-aws's attribute.
      expect(p['TimeToLiveSpecification']).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
    });

    it('has PITR, deletion protection, a customer-managed KMS key, and is retained', () => {
      t.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
          Replicas: [
            Match.objectLike({
              Region: { Ref: 'AWS::Region' },
              DeletionProtectionEnabled: true,
              PointInTimeRecoverySpecification: {
                PointInTimeRecoveryEnabled: true,
                RecoveryPeriodInDays: stage === 'prod' ? 35 : 7,
              },
              SSESpecification: {
                KMSMasterKeyId: { 'Fn::GetAtt': [logicalId(s, s.stack.store.key), 'Arn'] },
              },
            }),
          ],
        }),
      });
    });
  });

  describe('EvidenceStore (S3)', () => {
    const bucketId = logicalId(s, s.stack.evidence.bucket);
    const bucket = s.json.Resources[bucketId] as unknown as Record<string, unknown> & {
      Properties: Record<string, unknown>;
    };

    it('uses Object Lock in COMPLIANCE mode with the stage default retention, and versioning', () => {
      expect(bucket.Properties['ObjectLockEnabled']).toBe(true);
      expect(bucket.Properties['ObjectLockConfiguration']).toEqual({
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: stage === 'prod' ? 3650 : 1 } },
      });
      expect(bucket.Properties['VersioningConfiguration']).toEqual({ Status: 'Enabled' });
      expect(bucket['DeletionPolicy']).toBe('Retain');
    });

    it('is encrypted with its own KMS key and logs access to the logs bucket', () => {
      expect(bucket.Properties['BucketEncryption']).toEqual({
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [logicalId(s, s.stack.evidence.key), 'Arn'] },
            },
          },
        ],
      });
      expect(bucket.Properties['LoggingConfiguration']).toEqual({
        DestinationBucketName: { Ref: logicalId(s, s.stack.evidence.logsBucket) },
        LogFilePrefix: 'evidence/',
      });
    });

    it('denies deleting (hiding) evidence to every principal', () => {
      t.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'DenyHidingEvidence',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
            }),
          ]),
        },
      });
    });

    it('every bucket blocks all public access and is SSL-only (TLS 1.2+)', () => {
      const buckets = resourcesOfType(s, 'AWS::S3::Bucket');
      expect(buckets.length).toBe(3);
      for (const [id, b] of buckets) {
        expect(b.Properties?.['PublicAccessBlockConfiguration']).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        expect(b['DeletionPolicy']).toBe('Retain');
        t.hasResourceProperties('AWS::S3::BucketPolicy', {
          Bucket: { Ref: id },
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Action: 's3:*',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
              Match.objectLike({
                Effect: 'Deny',
                Action: 's3:*',
                Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
              }),
            ]),
          },
        });
      }
    });
  });

  describe('KMS and Secrets Manager', () => {
    it('rotates every KMS key, and retains the data keys', () => {
      for (const [, key] of resourcesOfType(s, 'AWS::KMS::Key')) {
        expect(key.Properties?.['EnableKeyRotation']).toBe(true);
      }
      for (const key of [s.stack.store.key, s.stack.evidence.key]) {
        expect(s.json.Resources[logicalId(s, key)]?.['DeletionPolicy' as never]).toBe('Retain');
      }
    });

    it('keeps both key files in Secrets Manager under a customer-managed key, retained', () => {
      const secrets = resourcesOfType(s, 'AWS::SecretsManager::Secret');
      // The two key files and the origin-verify value.
      expect(secrets).toHaveLength(3);
      const keyOf = (secret: unknown): string =>
        JSON.stringify(
          (s.json.Resources[logicalId(s, secret as never)]?.Properties ?? {})['KmsKeyId'],
        );
      // The log key file has a KMS key of its own; the operator key file another.
      expect(keyOf(s.stack.keys.logKeySecret)).toMatch(
        /^\{"Fn::GetAtt":\["LogKeysLogKeyKey[0-9A-F]{8}","Arn"\]\}$/,
      );
      expect(keyOf(s.stack.keys.operatorKeySecret)).toMatch(
        /^\{"Fn::GetAtt":\["LogKeysKey[0-9A-F]{8}","Arn"\]\}$/,
      );
      for (const [id, secret] of secrets) {
        if (id.startsWith('OriginVerify')) continue;
        expect(secret['DeletionPolicy']).toBe('Retain');
      }
      t.hasResourceProperties('Custom::CbmLedgerKeys', {
        ServiceToken: { 'Fn::GetAtt': [logicalId(s, s.stack.keys.provisioner.function), 'Arn'] },
        Mode: 'generate',
        Origin: s.stack.config.origin,
        Generation: '1',
      });
    });

    it('lets only the signers (integrator, submit: promises) and the provisioner read the log key', () => {
      t.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
        SecretId: { Ref: logicalId(s, s.stack.keys.logKeySecret) },
        ResourcePolicy: {
          Statement: Match.arrayWith([
            {
              Sid: 'OnlySignersReadTheLogKey',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 'secretsmanager:GetSecretValue',
              Resource: '*',
              Condition: {
                ArnNotEquals: {
                  'aws:PrincipalArn': [
                    { 'Fn::GetAtt': [logicalId(s, s.stack.keys.provisioner.role), 'Arn'] },
                    { 'Fn::GetAtt': [logicalId(s, s.stack.functions.submit.role), 'Arn'] },
                    { 'Fn::GetAtt': [logicalId(s, s.stack.functions.integrator.role), 'Arn'] },
                  ],
                },
              },
            },
          ]),
        },
      });
    });
  });

  describe('functions', () => {
    const names: Name[] = [
      'submit',
      'read',
      'cosign',
      'public',
      'router',
      'integrator',
      'provisioner',
    ];
    const newestNode = Object.values(lambda.Runtime)
      .filter(
        (r): r is lambda.Runtime => r instanceof lambda.Runtime && /^nodejs\d+\.x$/.test(r.name),
      )
      .sort((a, b) => Number(b.name.match(/\d+/)?.[0]) - Number(a.name.match(/\d+/)?.[0]))[0];

    it('run on the newest Node.js runtime of aws-cdk-lib, arm64, traced, each with its own role', () => {
      expect(newestNode?.name).toBe('nodejs24.x');
      const roles = new Set<string>();
      for (const name of names) {
        const p = fnProps(s, name);
        expect(p['Runtime'], name).toBe(newestNode?.name);
        expect(p['Architectures'], name).toEqual(['arm64']);
        expect(p['TracingConfig'], name).toEqual({ Mode: 'Active' });
        expect(p['Handler'], name).toBe('index.handler');
        roles.add(JSON.stringify(p['Role']));
      }
      expect(roles.size).toBe(names.length);
      expect(resourcesOfType(s, 'AWS::Lambda::Function')).toHaveLength(names.length);
    });

    it('get the environment the handlers read, and no secret in it', () => {
      for (const name of ['submit', 'read', 'cosign', 'public', 'router'] as const) {
        expect(Object.keys(env(s, name)), name).toEqual(
          expect.arrayContaining(['CBM_ORIGIN', 'CBM_TABLE', 'CBM_BUCKET', 'CBM_LOG_VKEY']),
        );
      }
      expect(env(s, 'submit')['CBM_ORIGIN']).toBe(s.stack.config.origin);
      for (const name of ['integrator', 'submit'] as const) {
        expect(env(s, name)['CBM_LOG_KEY_SECRET_ARN'], name).toEqual({
          Ref: logicalId(s, s.stack.keys.logKeySecret as never),
        });
      }
      for (const name of names) {
        expect(env(s, name)['CBM_LOG_KEY'], name).toBeUndefined();
        expect(JSON.stringify(env(s, name)), name).not.toMatch(/"seed"/);
      }
      expect(env(s, 'integrator')['POWERTOOLS_METRICS_NAMESPACE']).toBe(
        `CbmLedger/${s.stack.stackName}`,
      );
    });

    it('submit: PutItem on issuer#/replay#, BatchWriteItem on pointers/citations, UpdateItem on evidence budgets only; no DeleteItem', () => {
      const a = actions(s, 'submit');
      expect(byService(a, 'dynamodb')).toEqual(
        [...READS, 'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].sort(),
      );
      expect(byService(a, 's3')).toEqual(['s3:GetObject', 's3:PutObject']);
      // The log key, to sign admission promises (docs/promises.md), and nothing else.
      expect(byService(a, 'secretsmanager')).toEqual(['secretsmanager:GetSecretValue']);
      expect(byService(a, 'lambda')).toEqual([]);
      expect(writePaths(s, 'submit')).toEqual({
        AdmissionAccept: [['dynamodb:PutItem'], ['issuer#*', 'replay#*']],
        AdmissionLink: [['dynamodb:BatchWriteItem'], ['statement#*', 'evidence#*']],
        // POST /v1/evidence charges the uploader's daily budget (store-aws DynamoEvidenceQuota).
        EvidenceQuotaCharge: [['dynamodb:UpdateItem'], ['evidence-quota#*']],
      });
    });

    it('read: GetItem, Query, BatchGetItem, evidence downloads, and only nonce claims written', () => {
      const a = actions(s, 'read');
      expect(byService(a, 'dynamodb')).toEqual([...READS, 'dynamodb:PutItem'].sort());
      expect(byService(a, 's3')).toEqual(['s3:GetObject']);
      expect(byService(a, 'secretsmanager')).toEqual([]);
      expect(writePaths(s, 'read')).toEqual({
        NonceClaims: [['dynamodb:PutItem'], ['replay#*']],
      });
    });

    it('cosign: reads, and puts only cosignatures and nonce claims', () => {
      const a = actions(s, 'cosign');
      expect(byService(a, 'dynamodb')).toEqual([...READS, 'dynamodb:PutItem'].sort());
      expect(byService(a, 's3')).toEqual([]);
      expect(byService(a, 'secretsmanager')).toEqual([]);
      expect(writePaths(s, 'cosign')).toEqual({
        CosignaturePut: [['dynamodb:PutItem'], ['cosignature#*', 'replay#*']],
      });
    });

    it('every DynamoDB write of every role is limited to partitions of store-aws layout.ts; only the integrator writes the log', () => {
      const families = Object.entries(layout)
        .filter(([k]) => k.endsWith('_PARTITION'))
        .map(([, v]) => v as string);
      for (const name of names) {
        for (const st of roleStatements(s, logicalId(s, fnOf(s, name).role))) {
          const acts = Array.isArray(st.Action) ? st.Action : [st.Action];
          if (
            st.Effect !== 'Allow' ||
            !acts.some((x) => /^dynamodb:(Put|BatchWrite|Update)/.test(x))
          )
            continue;
          expect(Object.keys(st.Condition ?? {}), name).toEqual(['ForAllValues:StringLike']);
          const partitions = st.Condition?.['ForAllValues:StringLike']?.[
            'dynamodb:LeadingKeys'
          ] as string[];
          expect(partitions.length, name).toBeGreaterThan(0);
          for (const p of partitions) {
            expect(families, `${name} ${p}`).toContain(p.replace(/\*$/, ''));
            if (name !== 'integrator')
              expect(p, name).not.toMatch(/^(leaves|leafdoc|tree#|log|checkpoint|registry)/);
          }
        }
      }
      expect(writePaths(s, 'integrator')).toEqual({
        IntegrationLeavesAndTree: [['dynamodb:UpdateItem'], ['leaves', 'tree#*']],
        IntegrationHeadCheckpointRegistry: [
          ['dynamodb:PutItem'],
          ['log', 'checkpoint', 'registry'],
        ],
        IntegrationMarkIntegrated: [
          ['dynamodb:BatchWriteItem'],
          ['issuer#*', 'statement#*', 'evidence#*', 'leafdoc'],
        ],
      });
    });

    it('no role but the integrator may write `index` (mark a statement integrated)', () => {
      for (const name of ['submit', 'read', 'cosign'] as const) {
        const deny = roleStatements(s, logicalId(s, fnOf(s, name).role)).find(
          (st) => st.Sid === 'NeverMarksIntegrated',
        );
        expect(deny, name).toMatchObject({
          Effect: 'Deny',
          Condition: { 'ForAnyValue:StringEquals': { 'dynamodb:Attributes': ['index'] } },
        });
        expect(deny?.Action, name).toEqual(
          expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:BatchWriteItem']),
        );
      }
    });

    it('public: exactly the three DynamoDB reads, no write action of any kind', () => {
      const a = actions(s, 'public');
      expect(a).toEqual([...LOGS, ...READS, 'kms:Decrypt', 'kms:DescribeKey', ...XRAY].sort());
      const dataActions = a.filter((x) => !LOGS.includes(x) && !XRAY.includes(x));
      for (const action of dataActions)
        expect(action).not.toMatch(/Put|Update|Delete|Write|Create|Encrypt|Generate/);
    });

    it('router: nothing beyond its logs and traces', () => {
      expect(actions(s, 'router')).toEqual([...LOGS, ...XRAY].sort());
    });

    it('integrator: the integration writes, the pending index, and the log key', () => {
      const a = actions(s, 'integrator');
      expect(byService(a, 'dynamodb')).toEqual(
        [...READS, 'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].sort(),
      );
      expect(byService(a, 'secretsmanager')).toEqual(['secretsmanager:GetSecretValue']);
      expect(byService(a, 's3')).toEqual([]);
      const statements = roleStatements(s, logicalId(s, s.stack.functions.integrator.role));
      expect(statements.find((st) => st.Sid === 'ReadLogKey')?.Resource).toEqual({
        Ref: logicalId(s, s.stack.keys.logKeySecret as never),
      });
      expect(
        JSON.stringify(statements.find((st) => st.Sid === 'LedgerPendingIndex')?.Resource),
      ).toContain('/index/pending');
    });

    it('nobody deletes, scans or uses wildcard actions; only the signers and the provisioner read a secret', () => {
      for (const name of names) {
        const a = actions(s, name);
        expect(
          a.filter((x) => /Delete|Scan|\*/.test(x)),
          name,
        ).toEqual([]);
        if (name !== 'integrator' && name !== 'submit' && name !== 'provisioner') {
          expect(byService(a, 'secretsmanager'), name).toEqual([]);
        }
        if (name !== 'integrator') {
          // UpdateItem outside the integrator: only submit, only on evidence budgets.
          const updates = roleStatements(s, logicalId(s, fnOf(s, name).role)).filter(
            (st) =>
              st.Effect === 'Allow' &&
              (Array.isArray(st.Action) ? st.Action : [st.Action]).includes('dynamodb:UpdateItem'),
          );
          expect(
            updates.map(
              (st) => st.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'],
            ),
            name,
          ).toEqual(name === 'submit' ? [['evidence-quota#*']] : []);
          const q = roleStatements(s, logicalId(s, fnOf(s, name).role)).filter((st) =>
            JSON.stringify(st.Resource).includes('/index/'),
          );
          expect(q, name).toEqual([]);
        }
      }
      expect(
        actions(s, 'provisioner').filter((x) => !LOGS.includes(x) && !XRAY.includes(x)),
      ).toEqual([
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
      ]);
    });
  });

  describe('Integrator', () => {
    it('runs with reserved concurrency 1 every minute, without retries', () => {
      const id = logicalId(s, s.stack.functions.integrator.function);
      expect(fnProps(s, 'integrator')['ReservedConcurrentExecutions']).toBe(1);
      t.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [id, 'Arn'] },
            RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 0 }),
          }),
        ],
      });
      t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: id },
        MaximumRetryAttempts: 0,
      });
      // Every API function but the router (which touches no data) has its own reservation.
      const reserved = s.stack.config.reservedConcurrency;
      for (const name of ['submit', 'read', 'cosign', 'public'] as const) {
        expect(fnProps(s, name)['ReservedConcurrentExecutions'], name).toBe(reserved[name]);
      }
      expect(fnProps(s, 'router')['ReservedConcurrentExecutions']).toBeUndefined();
    });
  });

  describe('LedgerApi', () => {
    const apiId = logicalId(s, s.stack.api.api);
    const resources = resourcesOfType(s, 'AWS::ApiGateway::Resource');
    const pathOf = (ref: unknown): string => {
      const id = (ref as { Ref?: string; 'Fn::GetAtt'?: [string, string] }).Ref;
      if (id === undefined) return '';
      const r = resources.find(([rid]) => rid === id)?.[1].Properties as {
        ParentId: unknown;
        PathPart: string;
      };
      return `${pathOf(r.ParentId)}/${r.PathPart}`;
    };
    const methods = resourcesOfType(s, 'AWS::ApiGateway::Method').map(([, m]) => {
      const p = m.Properties as Record<string, unknown> & {
        Integration: { Uri?: unknown; Type: string };
      };
      return {
        path: pathOf(p['ResourceId']),
        method: p['HttpMethod'] as string,
        props: p,
        uri: JSON.stringify(p.Integration.Uri ?? null),
      };
    });
    const fnArn = (name: Name): string =>
      JSON.stringify({ 'Fn::GetAtt': [logicalId(s, fnOf(s, name).function), 'Arn'] });

    it('routes every DESIGN.md path to exactly its function, with no gateway authorizer', () => {
      for (const route of API_ROUTES) {
        const m = methods.find((x) => x.path === route.path && x.method === route.method);
        expect(m, `${route.method} ${route.path}`).toBeDefined();
        expect(m?.uri).toContain(fnArn(route.target));
        expect(m?.props['AuthorizationType']).toBe('NONE');
        for (const q of route.requiredQuery ?? []) {
          expect(
            (m?.props['RequestParameters'] as Record<string, boolean>)[
              `method.request.querystring.${q}`
            ],
          ).toBe(true);
        }
      }
      const pub = methods.find((x) => x.path === '/public/{proxy+}' && x.method === 'GET');
      expect(pub?.uri).toContain(fnArn('public'));
      // Every other method of a known path goes to the router (405), never to a data function.
      for (const m of methods.filter((x) => x.method === 'ANY'))
        expect(m.uri, m.path).toContain(fnArn('router'));
      expect(
        methods
          .filter((x) => x.uri.includes(fnArn('submit')))
          .map((x) => `${x.method} ${x.path}`)
          .sort(),
      ).toEqual(['POST /v1/evidence', 'POST /v1/statements']);
      expect(
        methods.filter((x) => x.uri.includes(fnArn('cosign'))).map((x) => `${x.method} ${x.path}`),
      ).toEqual(['POST /v1/checkpoint/cosignatures']);
    });

    it('serves the statement schemas from the read function, with their own 405 fallback', () => {
      for (const path of ['/v1/schemas', '/v1/schemas/{type}']) {
        const get = methods.find((x) => x.path === path && x.method === 'GET');
        expect(get?.uri, path).toContain(fnArn('read'));
        const other = methods.find((x) => x.path === path && x.method === 'ANY');
        expect(other?.uri, path).toContain(fnArn('router'));
      }
    });

    it('enables CORS only on the public view', () => {
      const options = methods.filter((x) => x.method === 'OPTIONS');
      expect(options.map((x) => x.path)).toEqual(['/public/{proxy+}']);
      const corsMentions = methods.filter((x) =>
        JSON.stringify(x.props).includes('Access-Control-Allow-Origin'),
      );
      expect(corsMentions.map((x) => x.path)).toEqual(['/public/{proxy+}']);
    });

    it('validates requests, logs access and execution (never bodies), traces and throttles', () => {
      t.hasResourceProperties('AWS::ApiGateway::RestApi', {
        EndpointConfiguration: { Types: ['REGIONAL'] },
      });
      t.resourceCountIs('AWS::ApiGateway::RequestValidator', 1);
      t.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
        RestApiId: { Ref: apiId },
        ValidateRequestBody: true,
        ValidateRequestParameters: true,
      });
      // Every method but the CORS preflight (a MOCK integration that reads nothing).
      for (const m of methods.filter((x) => x.method !== 'OPTIONS')) {
        expect(m.props['RequestValidatorId'], `${m.method} ${m.path}`).toBeDefined();
      }
      t.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: stage,
        TracingEnabled: true,
        AccessLogSetting: {
          DestinationArn: {
            'Fn::Join': ['', Match.arrayWith([{ Ref: logicalId(s, s.stack.api.accessLogs) }])],
          },
          Format: Match.stringLikeRegexp('\\$context\\.requestId'),
        },
        MethodSettings: Match.arrayWith([
          {
            HttpMethod: '*',
            ResourcePath: '/*',
            LoggingLevel: 'INFO',
            DataTraceEnabled: false,
            MetricsEnabled: true,
            ThrottlingRateLimit: s.stack.config.throttleRateLimit,
            ThrottlingBurstLimit: s.stack.config.throttleBurstLimit,
          },
        ]),
      });
      t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
        StatusCode: '404',
        ResponseParameters: { 'gatewayresponse.header.Content-Type': "'application/problem+json'" },
        ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"NOT_FOUND"') },
      });
    });

    it('is behind a WAFv2 web ACL with a per-IP rate rule and AWS managed rule groups', () => {
      const aclId = logicalId(s, s.stack.api.webAcl);
      t.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        Rules: Match.arrayWith([
          Match.objectLike({
            Name: 'RateLimitPerIp',
            Statement: {
              RateBasedStatement: {
                Limit: s.stack.config.wafRateLimitPer5Min,
                AggregateKeyType: 'IP',
                EvaluationWindowSec: 300,
              },
            },
            Action: { Block: Match.anyValue() },
          }),
          Match.objectLike({
            Statement: {
              ManagedRuleGroupStatement: {
                VendorName: 'AWS',
                Name: 'AWSManagedRulesAmazonIpReputationList',
              },
            },
          }),
          Match.objectLike({
            Statement: {
              ManagedRuleGroupStatement: {
                VendorName: 'AWS',
                Name: 'AWSManagedRulesCommonRuleSet',
                RuleActionOverrides: [
                  { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
                ],
              },
            },
          }),
          Match.objectLike({
            Statement: {
              ManagedRuleGroupStatement: {
                VendorName: 'AWS',
                Name: 'AWSManagedRulesKnownBadInputsRuleSet',
              },
            },
          }),
        ]),
      });
      t.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
        WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
        ResourceArn: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      });
      const assoc = resourcesOfType(s, 'AWS::WAFv2::WebACLAssociation')[0]?.[1];
      expect(JSON.stringify(assoc?.Properties?.['ResourceArn'])).toContain(
        logicalId(s, s.stack.api.api.deploymentStage),
      );
      t.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
        ResourceArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
      });
    });
  });

  describe('PublicView (CloudFront)', () => {
    it('serves /public/v1/* from the API, caching as the API says, read-only, with CORS', () => {
      t.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          // Legacy logging where CloudFront can deliver it (regions.test.ts).
          Logging: { 'Fn::If': Match.anyValue() },
          DefaultCacheBehavior: Match.objectLike({
            ViewerProtocolPolicy: 'redirect-to-https',
            AllowedMethods: ['GET', 'HEAD'],
            FunctionAssociations: [Match.objectLike({ EventType: 'viewer-request' })],
          }),
          CacheBehaviors: [
            Match.objectLike({
              PathPattern: '/public/v1/*',
              ViewerProtocolPolicy: 'redirect-to-https',
              AllowedMethods: ['GET', 'HEAD', 'OPTIONS'],
              ResponseHeadersPolicyId: Match.anyValue(),
            }),
          ],
          Origins: [
            Match.objectLike({
              CustomOriginConfig: Match.objectLike({
                OriginProtocolPolicy: 'https-only',
                OriginSSLProtocols: ['TLSv1.2'],
              }),
            }),
          ],
        }),
      });
      const [[, dist]] = resourcesOfType(s, 'AWS::CloudFront::Distribution') as unknown as [
        [string, { Properties: Record<string, unknown> }],
      ];
      const originPath = JSON.stringify(
        (dist.Properties['DistributionConfig'] as { Origins: { OriginPath: unknown }[] }).Origins[0]
          ?.OriginPath,
      );
      expect(originPath).toContain(logicalId(s, s.stack.api.api.deploymentStage));
      t.hasResourceProperties('AWS::CloudFront::CachePolicy', {
        CachePolicyConfig: Match.objectLike({
          DefaultTTL: 0,
          MinTTL: 0,
          ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
            QueryStringsConfig: {
              QueryStringBehavior: 'whitelist',
              QueryStrings: PUBLIC_QUERY_PARAMETERS,
            },
            CookiesConfig: { CookieBehavior: 'none' },
          }),
        }),
      });
      t.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
        ResponseHeadersPolicyConfig: Match.objectLike({
          CorsConfig: Match.objectLike({
            AccessControlAllowOrigins: { Items: ['*'] },
            AccessControlAllowCredentials: false,
          }),
        }),
      });
    });
  });

  describe('Observability', () => {
    const alarms = resourcesOfType(s, 'AWS::CloudWatch::Alarm');
    const byName = (suffix: string): Record<string, unknown> | undefined =>
      alarms.find(([, a]) => a.Properties?.['AlarmName'] === `${s.stack.stackName}-${suffix}`)?.[1]
        .Properties;

    it('alarms on 5xx, throttles, integrator errors, integration lag and checkpoint age', () => {
      expect(alarms.map(([, a]) => a.Properties?.['AlarmName']).sort()).toEqual(
        [
          'Api5xx',
          'CheckpointAge',
          'CosignErrors',
          'DynamoDbErrors',
          'DynamoDbThrottles',
          'GuardChanged',
          'IntegrationIncident',
          'IntegrationLag',
          'IntegratorErrors',
          'ReadErrors',
          'SubmitErrors',
          'Throttles',
          'WafBlocks',
        ].map((x) => `${s.stack.stackName}-${x}`),
      );
      expect(byName('Api5xx')).toMatchObject({
        Namespace: 'AWS/ApiGateway',
        MetricName: '5XXError',
        Threshold: 1,
      });
      expect(byName('IntegrationLag')).toMatchObject({
        Namespace: `CbmLedger/${s.stack.stackName}`,
        MetricName: 'OldestPendingAgeSeconds',
        Dimensions: [{ Name: 'service', Value: 'cbm-ledger' }],
        Statistic: 'Maximum',
        Threshold: s.stack.config.integrationLagAlarmSeconds,
        TreatMissingData: 'breaching',
      });
      expect(byName('CheckpointAge')).toMatchObject({
        MetricName: 'CheckpointAgeSeconds',
        Threshold: s.stack.config.checkpointAgeAlarmSeconds,
      });
      const throttleIds = (byName('Throttles')?.['Metrics'] as { Id: string }[]).map((m) => m.Id);
      expect(throttleIds).toHaveLength(7); // five API functions, the integrator, the sum
      t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    });

    it(
      stage === 'prod' ? 'notifies an encrypted SNS topic in prod' : 'has no alarm actions in dev',
      () => {
        for (const [, alarm] of alarms) {
          if (stage === 'prod')
            expect(alarm.Properties?.['AlarmActions']).toEqual([
              { Ref: logicalId(s, s.stack.observability.topic as never) },
            ]);
          else expect(alarm.Properties?.['AlarmActions']).toBeUndefined();
        }
        if (stage === 'prod') {
          t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
          t.hasResourceProperties('AWS::SNS::Subscription', {
            Protocol: 'email',
            Endpoint: 'ops@example.org',
          });
        } else {
          t.resourceCountIs('AWS::SNS::Topic', 0);
        }
      },
    );
  });

  describe('hardening (docs/security-review.md)', () => {
    const guardians = s.stack.guardians;
    const resolved = (v: unknown): string => JSON.stringify(s.stack.resolve(v));
    const breakGlass = resolved(guardians.breakGlassRoleArn);
    const deployRole = resolved(guardians.deployRoleArn);
    type Doc = { Statement: (Statement & { Principal?: unknown })[] };
    const sidOf = (doc: Doc, sid: string): (Statement & { Principal?: unknown }) | undefined =>
      doc.Statement.find((st) => st.Sid === sid);
    const exempted = (st: Statement | undefined): string =>
      JSON.stringify(st?.Condition?.['ArnNotEquals']?.['aws:PrincipalArn']);

    it('F1 the table policy denies deletes, log writes by anyone but the integrator, ttl outside replay#', () => {
      const [[, table]] = resourcesOfType(s, 'AWS::DynamoDB::GlobalTable') as unknown as [
        [string, { Properties: { Replicas: { ResourcePolicy: { PolicyDocument: Doc } }[] } }],
      ];
      const doc = table.Properties.Replicas[0]?.ResourcePolicy.PolicyDocument as Doc;
      expect(sidOf(doc, 'NobodyDeletesItems')).toMatchObject({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['dynamodb:DeleteItem', 'dynamodb:PartiQLDelete'],
      });
      expect(sidOf(doc, 'NobodyDeletesItems')?.Condition).toBeUndefined();
      const log = sidOf(doc, 'OnlyTheIntegratorWritesTheLog');
      expect(log?.Effect).toBe('Deny');
      expect(log?.Action).toEqual(
        expect.arrayContaining([
          'dynamodb:BatchWriteItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
        ]),
      );
      expect(log?.Condition?.['ForAnyValue:StringLike']?.['dynamodb:LeadingKeys']).toEqual(
        INTEGRATOR_ONLY_PARTITIONS,
      );
      expect(log?.Condition?.['ArnNotEquals']?.['aws:PrincipalArn']).toEqual([
        { 'Fn::GetAtt': [logicalId(s, s.stack.functions.integrator.role), 'Arn'] },
      ]);
      expect(sidOf(doc, 'OnlyNonceClaimsAndBudgetsExpire')?.Condition).toEqual({
        'ForAnyValue:StringEquals': { 'dynamodb:Attributes': ['ttl'] },
        'ForAnyValue:StringNotLike': {
          'dynamodb:LeadingKeys': ['replay#*', 'evidence-quota#*'],
        },
      });
      expect(exempted(sidOf(doc, 'OnlyBreakGlassDeletesTheTable'))).toBe(`[${breakGlass}]`);
      expect(sidOf(doc, 'OnlyDeploysChangeThisPolicyOrTheTtl')?.Action).toEqual(
        expect.arrayContaining(['dynamodb:PutResourcePolicy', 'dynamodb:UpdateTimeToLive']),
      );
      expect(exempted(sidOf(doc, 'OnlyDeploysChangeThisPolicyOrTheTtl'))).toBe(
        `[${breakGlass},${deployRole}]`,
      );
    });

    it('F2 every data key denies disabling/deletion except break-glass and key-policy changes except deploys', () => {
      const keys = resourcesOfType(s, 'AWS::KMS::Key');
      expect(keys.length).toBeGreaterThanOrEqual(5);
      for (const [id, key] of keys) {
        if (id.startsWith('ObservabilityTopicKey')) continue;
        const doc = key.Properties?.['KeyPolicy'] as Doc;
        const destroy = sidOf(doc, 'OnlyBreakGlassDestroysTheKey');
        expect([...(destroy?.Action as string[])].sort(), id).toEqual([
          'kms:DeleteImportedKeyMaterial',
          'kms:DisableKey',
          'kms:ScheduleKeyDeletion',
        ]);
        expect(exempted(destroy), id).toBe(`[${breakGlass}]`);
        expect(sidOf(doc, 'OnlyDeploysChangeTheKeyPolicy')?.Action, id).toBe('kms:PutKeyPolicy');
        expect(exempted(sidOf(doc, 'OnlyDeploysChangeTheKeyPolicy')), id).toBe(
          `[${breakGlass},${deployRole}]`,
        );
      }
    });

    it('F3 the log key file KMS key decrypts for the integrator, the submit function (admission promises), the provisioner and break-glass only; grants are bound to the secret', () => {
      const key = s.json.Resources[logicalId(s, s.stack.keys.node.findChild('LogKeyKey'))];
      const deny = sidOf(key?.Properties?.['KeyPolicy'] as Doc, 'OnlyLogKeyReadersDecrypt');
      expect(deny?.Effect).toBe('Deny');
      expect(deny?.Action).toEqual(['kms:Decrypt', 'kms:ReEncryptFrom']);
      expect(s.stack.resolve(deny?.Condition?.['ArnNotEquals']?.['aws:PrincipalArn'])).toEqual([
        { 'Fn::GetAtt': [logicalId(s, s.stack.keys.provisioner.role), 'Arn'] },
        { 'Fn::GetAtt': [logicalId(s, s.stack.functions.submit.role), 'Arn'] },
        { 'Fn::GetAtt': [logicalId(s, s.stack.functions.integrator.role), 'Arn'] },
        s.stack.resolve(guardians.breakGlassRoleArn),
      ]);
      for (const fn of [s.stack.functions.integrator, s.stack.functions.submit]) {
        const read = roleStatements(s, logicalId(s, fn.role)).find(
          (st) => st.Sid === 'ReadLogKeyKms',
        );
        expect(read?.Condition?.['StringEquals']?.['kms:EncryptionContext:SecretARN']).toEqual([
          { Ref: logicalId(s, s.stack.keys.logKeySecret as never) },
        ]);
      }
    });

    it('F4 the key secrets deny value, stage and policy changes; the operator key policy exists only after provisioning', () => {
      const policies = resourcesOfType(s, 'AWS::SecretsManager::ResourcePolicy');
      const forSecret = (secret: unknown): [string, Record<string, unknown>] => {
        const hit = policies.find(
          ([, p]) =>
            JSON.stringify(p.Properties?.['SecretId']) ===
            JSON.stringify({ Ref: logicalId(s, secret as never) }),
        );
        if (hit === undefined) throw new Error('no resource policy');
        return hit;
      };
      const [, logPolicy] = forSecret(s.stack.keys.logKeySecret);
      const logDoc = (logPolicy['Properties'] as { ResourcePolicy: Doc }).ResourcePolicy;
      const put = sidOf(logDoc, 'OnlyTheProvisionerPutsTheLogKey');
      expect(put?.Action).toEqual(
        expect.arrayContaining([
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
          'secretsmanager:DeleteSecret',
        ]),
      );
      expect(exempted(put)).toBe(
        `[${JSON.stringify({ 'Fn::GetAtt': [logicalId(s, s.stack.keys.provisioner.role), 'Arn'] })},${breakGlass}]`,
      );
      expect(sidOf(logDoc, 'OnlyDeploysChangeThisPolicy')?.Action).toEqual(
        expect.arrayContaining([
          'secretsmanager:PutResourcePolicy',
          'secretsmanager:DeleteResourcePolicy',
        ]),
      );
      const [opId, opPolicy] = forSecret(s.stack.keys.operatorKeySecret);
      const opDoc = (opPolicy['Properties'] as { ResourcePolicy: Doc }).ResourcePolicy;
      expect(exempted(sidOf(opDoc, 'NobodyReplacesTheOperatorKey'))).toBe(`[${breakGlass}]`);
      expect(sidOf(opDoc, 'NobodyReplacesTheOperatorKey')?.Action).toContain(
        'secretsmanager:PutSecretValue',
      );
      const keys = resourcesOfType(s, 'Custom::CbmLedgerKeys')[0]?.[0];
      expect(s.json.Resources[opId]?.['DependsOn' as never]).toEqual(
        expect.arrayContaining([keys]),
      );
    });

    it('F5 the key-provisioning custom resource has a service timeout', () => {
      t.hasResourceProperties('Custom::CbmLedgerKeys', { ServiceTimeout: '300' });
    });

    it('F6 each API Gateway invoke permission names its own method and path', () => {
      const perms = resourcesOfType(s, 'AWS::Lambda::Permission').filter(([, p]) =>
        JSON.stringify(p.Properties?.['SourceArn'] ?? '').includes('execute-api'),
      );
      expect(perms.length).toBeGreaterThanOrEqual(API_ROUTES.length + 1);
      const suffixes = perms.map(([, p]) => {
        const parts = (p.Properties?.['SourceArn'] as { 'Fn::Join': [string, unknown[]] })[
          'Fn::Join'
        ][1];
        return String(parts[parts.length - 1]);
      });
      for (const suffix of suffixes) expect(suffix).not.toMatch(/\/\*\/\*(\/\*)?$/);
      // API Gateway's SourceArn names path parameters with '*'.
      for (const route of API_ROUTES)
        expect(suffixes).toContain(`/${route.method}${route.path.replace(/\{[^}]+\}/g, '*')}`);
      // No console test-invoke permission.
      expect(suffixes.filter((x) => x.startsWith('/test-invoke-stage'))).toEqual([]);
    });

    it('F7 the evidence bucket guards its policy, lifecycle and lock, and refuses stale presigned URLs', () => {
      t.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalId(s, s.stack.evidence.bucket) },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'OnlyDeploysChangeTheBucketRules',
              Effect: 'Deny',
              Action: BUCKET_GUARDED_ACTIONS,
            }),
            Match.objectLike({
              Sid: 'PresignedUrlsExpire',
              Effect: 'Deny',
              Action: ['s3:GetObject', 's3:PutObject'],
              Condition: { NumericGreaterThan: { 's3:signatureAge': 900_000 } },
            }),
          ]),
        },
      });
    });

    it('F8 the table is backed up daily into a locked vault', () => {
      t.hasResourceProperties('AWS::Backup::BackupVault', {
        LockConfiguration: {
          MinRetentionDays: s.stack.config.backupRetentionDays,
          ...(stage === 'prod' ? { ChangeableForDays: 3 } : {}),
        },
      });
      if (stage !== 'prod') {
        const vault = resourcesOfType(s, 'AWS::Backup::BackupVault')[0]?.[1];
        expect(
          (vault?.Properties?.['LockConfiguration'] as Record<string, unknown>)[
            'ChangeableForDays'
          ],
        ).toBeUndefined();
      }
      t.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain' });
      t.hasResourceProperties('AWS::Backup::BackupPlan', {
        BackupPlan: Match.objectLike({
          BackupPlanRule: [
            Match.objectLike({
              ScheduleExpression: 'cron(0 3 * * ? *)',
              Lifecycle: { DeleteAfterDays: s.stack.config.backupRetentionDays },
            }),
          ],
        }),
      });
      t.hasResourceProperties('AWS::Backup::BackupSelection', {
        BackupSelection: Match.objectLike({
          Resources: [{ 'Fn::GetAtt': [logicalId(s, s.stack.store.table), 'Arn'] }],
        }),
      });
    });

    it('F9 the public cache key holds only known parameters; CloudFront sends the viewer address and the origin secret', () => {
      const dist = only(s, 'AWS::CloudFront::Distribution');
      const config = dist.Properties?.['DistributionConfig'] as {
        Origins: { OriginCustomHeaders: { HeaderName: string; HeaderValue: unknown }[] }[];
        CacheBehaviors: { OriginRequestPolicyId: unknown; FunctionAssociations: unknown[] }[];
      };
      const header = config.Origins[0]?.OriginCustomHeaders[0];
      expect(header?.HeaderName).toBe(ORIGIN_VERIFY_HEADER);
      expect(JSON.stringify(header?.HeaderValue)).toContain('{{resolve:secretsmanager:');
      expect(config.CacheBehaviors[0]?.OriginRequestPolicyId).toBeDefined();
      expect(config.CacheBehaviors[0]?.FunctionAssociations).toHaveLength(1);
      t.hasResourceProperties('AWS::CloudFront::OriginRequestPolicy', {
        OriginRequestPolicyConfig: Match.objectLike({
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: [VIEWER_IP_HEADER] },
          QueryStringsConfig: { QueryStringBehavior: 'none' },
        }),
      });
      const fns = resourcesOfType(s, 'AWS::CloudFront::Function').map(([, f]) =>
        String(f.Properties?.['FunctionCode']),
      );
      expect(
        fns.some((code) =>
          code.includes(`headers['${VIEWER_IP_HEADER}'] = { value: event.viewer.ip }`),
        ),
      ).toBe(true);
    });

    it('F10 account-wide CloudFront policy names carry the region', () => {
      for (const type of [
        'AWS::CloudFront::CachePolicy',
        'AWS::CloudFront::OriginRequestPolicy',
        'AWS::CloudFront::ResponseHeadersPolicy',
      ]) {
        for (const [, p] of resourcesOfType(s, type)) {
          expect(JSON.stringify(p.Properties), type).toContain('"AWS::Region"');
        }
      }
    });

    it('F11 WAF: /public only through CloudFront, rate limits per viewer and per IP, bodies over 8 KB only on submissions', () => {
      const acl = only(s, 'AWS::WAFv2::WebACL');
      const rules = acl.Properties?.['Rules'] as {
        Name: string;
        Statement: Record<string, unknown>;
        Action?: unknown;
      }[];
      expect(rules.map((r) => r.Name)).toEqual([
        'PublicOnlyThroughCloudFront',
        'RateLimitPerViewer',
        'RateLimitPerIp',
        'AWSManagedRulesAmazonIpReputationList',
        'AWSManagedRulesCommonRuleSet',
        'AWSManagedRulesKnownBadInputsRuleSet',
        'BodySizeOutsideSubmissions',
      ]);
      const byName = (n: string): Record<string, unknown> =>
        rules.find((r) => r.Name === n)?.Statement ?? {};
      const verify = JSON.stringify(byName('PublicOnlyThroughCloudFront'));
      expect(verify).toContain('"SearchString":"/public/"');
      expect(verify).toContain(`"Name":"${ORIGIN_VERIFY_HEADER}"`);
      expect(verify).toContain('{{resolve:secretsmanager:');
      expect(byName('RateLimitPerViewer')).toMatchObject({
        RateBasedStatement: {
          AggregateKeyType: 'FORWARDED_IP',
          ForwardedIPConfig: { HeaderName: VIEWER_IP_HEADER, FallbackBehavior: 'MATCH' },
        },
      });
      expect(JSON.stringify(byName('RateLimitPerViewer'))).toContain(
        `"ScopeDownStatement":{"ByteMatchStatement":{"FieldToMatch":{"SingleHeader":{"Name":"${ORIGIN_VERIFY_HEADER}"}}`,
      );
      expect(JSON.stringify(byName('RateLimitPerIp'))).toContain(
        '"ScopeDownStatement":{"NotStatement"',
      );
      const body = JSON.stringify(byName('BodySizeOutsideSubmissions'));
      expect(body).toContain(BODY_SIZE_LABEL);
      expect(body).toContain('"SearchString":"/v1/statements"');
      // NoUserAgent_HEADER keeps blocking: every client this project ships sends a User-Agent.
      expect(JSON.stringify(byName('AWSManagedRulesCommonRuleSet'))).not.toContain('NoUserAgent');
    });

    it('F12 the WAF log group name is unique per stack instance (a retained one never collides)', () => {
      const groups = resourcesOfType(s, 'AWS::Logs::LogGroup').filter(([, g]) =>
        JSON.stringify(g.Properties?.['LogGroupName'] ?? '').includes('aws-waf-logs-'),
      );
      expect(groups).toHaveLength(1);
      expect(JSON.stringify(groups[0]?.[1].Properties?.['LogGroupName'])).toContain(
        '"AWS::StackId"',
      );
    });

    it('F13 POST routes have their own throttle', () => {
      const st = only(s, 'AWS::ApiGateway::Stage');
      const settings = st.Properties?.['MethodSettings'] as Record<string, unknown>[];
      for (const path of [
        '/~1v1~1statements',
        '/~1v1~1evidence',
        '/~1v1~1checkpoint~1cosignatures',
      ]) {
        expect(settings, path).toContainEqual(
          expect.objectContaining({
            HttpMethod: 'POST',
            ResourcePath: path,
            ThrottlingRateLimit: s.stack.config.submitThrottleRateLimit,
            ThrottlingBurstLimit: s.stack.config.submitThrottleBurstLimit,
          }),
        );
      }
    });

    it('pass the evidence budget, recovery window and merge delay from context to the handlers', () => {
      const s = synth({
        stage: 'dev',
        evidenceQuotaCount: '20',
        evidenceQuotaBytes: '1048576',
        recoveryDelayDays: '3',
        maxSigningDays: '9',
        maxMergeDelaySeconds: '600',
      });
      for (const name of ['submit', 'read', 'router'] as const) {
        expect(env(s, name), name).toMatchObject({
          CBM_EVIDENCE_QUOTA_COUNT: '20',
          CBM_EVIDENCE_QUOTA_BYTES: '1048576',
          CBM_RECOVERY_DELAY_DAYS: '3',
          CBM_MAX_SIGNING_DAYS: '9',
          CBM_MAX_MERGE_DELAY_SECONDS: '600',
        });
      }
    });

    it('F14 alarms: sums fill missing series with 0; incidents, errors, WAF blocks and guard changes alarm', () => {
      const alarms = resourcesOfType(s, 'AWS::CloudWatch::Alarm');
      const byName = (suffix: string): Record<string, unknown> =>
        alarms.find(
          ([, a]) => a.Properties?.['AlarmName'] === `${s.stack.stackName}-${suffix}`,
        )?.[1].Properties ?? {};
      for (const name of ['Throttles', 'DynamoDbErrors', 'DynamoDbThrottles']) {
        const expr =
          (byName(name)['Metrics'] as { Expression?: string }[]).find((m) => m.Expression)
            ?.Expression ?? '';
        const terms = expr.split(' + ');
        expect(terms.length, name).toBeGreaterThan(1);
        for (const term of terms) expect(term, name).toMatch(/^FILL\(\w+, 0\)$/);
      }
      expect(byName('IntegrationIncident')).toMatchObject({
        Namespace: `CbmLedger/${s.stack.stackName}`,
        MetricName: INTEGRATION_INCIDENT_METRIC,
        Statistic: 'Sum',
        Threshold: 1,
      });
      // The name the integrator Lambda publishes under (functions/src/integration-metrics.ts).
      const published = readFileSync(
        join(REPO_ROOT, 'functions', 'src', 'integration-metrics.ts'),
        'utf8',
      ).match(/INTEGRATION_INCIDENT_METRIC = '([^']+)'/)?.[1];
      expect(published).toBe(INTEGRATION_INCIDENT_METRIC);
      expect(byName('WafBlocks')).toMatchObject({
        Namespace: 'AWS/WAFV2',
        MetricName: 'BlockedRequests',
      });
      expect(byName('GuardChanged')).toMatchObject({
        Namespace: 'AWS/Events',
        MetricName: 'MatchedEvents',
      });
      t.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({
          'detail-type': ['AWS API Call via CloudTrail'],
          source: ['aws.secretsmanager', 'aws.kms', 'aws.s3', 'aws.dynamodb'],
          detail: Match.objectLike({
            eventName: Match.arrayWith([
              'PutBucketPolicy',
              'PutKeyPolicy',
              'PutResourcePolicy',
              'PutSecretValue',
              'ScheduleKeyDeletion',
              'UpdateSecretVersionStage',
            ]),
          }),
        }),
      });
    });
  });

  it('is environment-agnostic, with termination protection in prod only', () => {
    expect(s.stack.environment).toBe('aws://unknown-account/unknown-region');
    expect(s.stack.terminationProtection).toBe(stage === 'prod');
    const outputs = Object.keys(
      (s.json as unknown as { Outputs: Record<string, unknown> }).Outputs,
    );
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'PublicUrl',
        'LogVkey',
        'OperatorKeySecretArn',
        'TableName',
      ]),
    );
  });
});

describe('options', () => {
  it(
    'sets a configurable evidence retention',
    () => {
      const s = synth({ stage: 'dev', evidenceRetentionDays: '30' });
      s.template.hasResourceProperties('AWS::S3::Bucket', {
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } },
        },
      });
    },
    SYNTH_TIMEOUT,
  );

  it(
    'imports existing key secrets without creating or writing any',
    () => {
      const logArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cbm/log-AbCdEf';
      const opArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cbm/operator-AbCdEf';
      const s = synth({
        stage: 'prod',
        origin: 'x.example/y',
        logKeySecretArn: logArn,
        operatorKeySecretArn: opArn,
      });
      // Only the origin-verify value: no key-file secret.
      expect(resourcesOfType(s, 'AWS::SecretsManager::Secret').map(([id]) => id)).toEqual([
        logicalId(s, s.stack.originVerify.secret),
      ]);
      s.template.hasResourceProperties('Custom::CbmLedgerKeys', {
        Mode: 'import',
        LogKeySecretArn: logArn,
      });
      expect(actions(s, 'provisioner')).not.toContain('secretsmanager:PutSecretValue');
      expect(actions(s, 'integrator')).toContain('secretsmanager:GetSecretValue');
    },
    SYNTH_TIMEOUT,
  );

  it(
    'lets admission wake the integrator, and nothing more, when asked',
    () => {
      const s = synth({ stage: 'dev', wakeIntegrator: 'true' });
      expect(byService(actions(s, 'submit'), 'lambda')).toEqual(['lambda:InvokeFunction']);
      const st = roleStatements(s, logicalId(s, s.stack.functions.submit.role)).find(
        (x) => x.Sid === 'WakeIntegrator',
      );
      expect(st?.Resource).toEqual({
        'Fn::GetAtt': [logicalId(s, s.stack.functions.integrator.function), 'Arn'],
      });
      expect(env(s, 'submit')['CBM_INTEGRATOR_FUNCTION']).toEqual({
        Ref: logicalId(s, s.stack.functions.integrator.function),
      });
    },
    SYNTH_TIMEOUT,
  );
});

/**
 * The public view's Lambda: GET /public/v1/… over read-only stores (DESIGN.md §5). It builds no
 * evidence store, no signer and no writable store: the PublicLedger it serves holds only the
 * read methods of the DynamoDB stores, and its IAM role grants reads only.
 *
 * Variables: CBM_ORIGIN, CBM_LOG_VKEY, CBM_TABLE, CBM_DYNAMODB_ENDPOINT (as the API function), and
 * CBM_PUBLIC_BASE_URL, the public view's absolute URL prefix (e.g. `https://ledger.example`) for
 * the feed's links (root-relative when unset), and CBM_WITNESS_QUORUM.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { PublicLedger, readOnlyStores } from '@cbm-ledger/ledger';
import type { LedgerConfig } from '@cbm-ledger/ledger';
import { createDynamoClient, createDynamoStores } from '@cbm-ledger/store-aws';
import { logger } from '../logger.js';
import { createPublicHandler } from '../routes/public-api.js';
import { lazy, readLogVkey, readSettings } from './environment.js';

type Env = Readonly<Record<string, string | undefined>>;

export function buildPublicLedger(env: Env): { ledger: PublicLedger; config: LedgerConfig } {
  const settings = readSettings(env);
  const logVkey = readLogVkey(env, settings.origin);
  const client = createDynamoClient(
    settings.dynamoEndpoint === undefined ? {} : { endpoint: settings.dynamoEndpoint },
  );
  // Only the read methods leave this function: the writable stores are not kept.
  const stores = readOnlyStores(createDynamoStores({ client, table: settings.table }));
  const baseUrl = env['CBM_PUBLIC_BASE_URL'];
  const ledger = new PublicLedger({
    ...stores,
    clock: { now: () => Date.now() },
    config: settings.config,
    logVkey,
    ...(baseUrl === undefined || baseUrl === '' ? {} : { publicBaseUrl: baseUrl }),
  });
  return { ledger, config: settings.config };
}

const built = lazy(() => buildPublicLedger(process.env));

const view = createPublicHandler(() => Promise.resolve(built().ledger), {
  logger,
  limits: () => built().config,
});

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) => view(event, context));

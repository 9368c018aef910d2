/** The API Lambda: API Gateway REST proxy events for every route of `apiRoutes`. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createApiHandler } from '../api.js';
import { logger } from '../logger.js';
import { buildLedgerService, lazy } from './environment.js';

const ledger = lazy(() => buildLedgerService(process.env));

const api = createApiHandler(() => Promise.resolve(ledger().service), {
  logger,
  // Limits follow the domain's configuration, built with the service on the first request.
  limits: () => ledger().config,
});

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) => api(event, context));

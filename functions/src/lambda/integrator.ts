/**
 * The integrator Lambda, run on a schedule: integrates batches until nothing is left or the
 * invocation nears its timeout. Concurrent invocations are safe (Integrator.runOnce is).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { drain } from '../drain.js';
import type { DrainResult } from '../drain.js';
import { logger } from '../logger.js';
import { buildIntegrator, lazy } from './environment.js';

const integrator = lazy(() => buildIntegrator(process.env));

export const handler = middy<unknown, DrainResult, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (_event, context) => {
    const result = await drain(integrator(), () => context.getRemainingTimeInMillis());
    logger.info('integration run', { ...result });
    return result;
  });

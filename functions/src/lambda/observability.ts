/**
 * Powertools for every Lambda entry: structured logs with the invocation's context, and
 * CloudWatch metrics in EMF, flushed after each invocation (a failed one too). Both are middy
 * middleware around the entry's logic, which stays a plain function of (event, context).
 *
 * Service `cbm-ledger` (POWERTOOLS_SERVICE_NAME overrides); the metrics namespace comes from
 * POWERTOOLS_METRICS_NAMESPACE, which the stack sets per stage.
 *
 * Tracing: the stack turns on X-Ray active tracing for every function (API Gateway → Lambda
 * segments). The Powertools Tracer is not bundled: it brings aws-xray-sdk-core, semver and
 * cls-hooked, about 120 KB minified, and the read function would be 425 KB, the submit function
 * 320 KB, against the 300 KB limit (DESIGN.md §10).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { SERVICE_NAME, logger } from '../logger.js';

export { logger };

/** One per bundle: each entry is its own function and process. */
export const metrics = new Metrics({ serviceName: SERVICE_NAME, logger });

export type LambdaLogic<E, R> = (event: E, context: Context) => Promise<R>;

export type LambdaHandler<E, R> = middy.MiddyfiedHandler<E, R, Error, Context>;

/** The Powertools middleware around `logic`. */
export function withObservability<E, R>(logic: LambdaLogic<E, R>): LambdaHandler<E, R> {
  return middy<E, R, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(logic);
}

/** The API functions, by the name the stack gives them (infra/src/handlers.ts); `api` serves all. */
export type ApiFunctionName = 'submit' | 'read' | 'cosign' | 'router' | 'api';

export const SERVER_ERRORS_METRIC = 'ServerErrors';

/**
 * Counts each answer of an API function as 0 or 1 server error (5xx), with a `function`
 * dimension: the stage's 5xx alarm says that something failed, this says which function, and
 * it counts the 500 and 503 problems a handler answered itself, which Lambda's own Errors
 * metric does not.
 */
function serverErrors(
  name: ApiFunctionName,
): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  return {
    after: (request) => {
      const failed = (request.response?.statusCode ?? 500) >= 500;
      metrics.addDimension('function', name);
      metrics.addMetric(SERVER_ERRORS_METRIC, MetricUnit.Count, failed ? 1 : 0);
    },
  };
}

/** An API function's entry: `logic` answers every request, bad ones with a problem. */
export function apiEntry(
  name: ApiFunctionName,
  logic: LambdaLogic<APIGatewayProxyEvent, APIGatewayProxyResult>,
): LambdaHandler<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return withObservability(logic).use(serverErrors(name));
}

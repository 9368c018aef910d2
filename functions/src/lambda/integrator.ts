/**
 * The integrator Lambda, run every minute (and, if the stack says so, woken by admission):
 * reports the integration lag and checkpoint age as metrics, then integrates batches until
 * nothing is left or the invocation nears its timeout. Concurrent invocations are safe
 * (Integrator.runOnce is).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { drain } from '../drain.js';
import type { DrainResult } from '../drain.js';
import type { IntegrationIncident } from '@cbm-ledger/ledger';
import {
  CHECKPOINT_AGE_METRIC,
  INTEGRATION_INCIDENT_METRIC,
  OLDEST_PENDING_AGE_METRIC,
  integrationAges,
} from '../integration-metrics.js';
import { buildIntegrator, lazyAsync } from './environment.js';
import type { IntegratorRuntime } from './environment.js';
import { readLogKeyFile } from './log-key.js';
import { logger, metrics, withObservability } from './observability.js';

/** A statement lost or altered behind the ledger's back: logged with its entry, counted, alarmed. */
export function reportIncident(incident: IntegrationIncident): void {
  logger.error('integration incident', { ...incident });
  metrics.addMetric(INTEGRATION_INCIDENT_METRIC, MetricUnit.Count, 1);
}

// The log key is read once per execution environment; a failed read is retried next run.
const runtime = lazyAsync(async () =>
  buildIntegrator(process.env, await readLogKeyFile(process.env), reportIncident),
);

/**
 * Measured before integrating, so a run that then fails still reports how long statements have
 * waited. A failed measurement is logged and leaves the datapoint out (the lag alarm treats a
 * missing one as breaching); it never stops integration.
 */
async function reportAges(run: IntegratorRuntime): Promise<void> {
  try {
    const ages = await integrationAges(run);
    metrics.addMetric(OLDEST_PENDING_AGE_METRIC, MetricUnit.Seconds, ages.oldestPendingAgeSeconds);
    metrics.addMetric(CHECKPOINT_AGE_METRIC, MetricUnit.Seconds, ages.checkpointAgeSeconds);
  } catch (error) {
    logger.error('integration ages not measured', { error });
  }
}

export const handler = withObservability<unknown, DrainResult>(async (_event, context) => {
  const run = await runtime();
  await reportAges(run);
  const result = await drain(run.integrator, () => context.getRemainingTimeInMillis());
  logger.info('integration run', { ...result });
  return result;
});

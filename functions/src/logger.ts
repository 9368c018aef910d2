import { Logger } from '@aws-lambda-powertools/logger';

/** Service name of logs, metrics and traces; POWERTOOLS_SERVICE_NAME overrides it. */
export const SERVICE_NAME = 'cbm-ledger';

/** One logger per bundle; POWERTOOLS_LOG_LEVEL and POWERTOOLS_SERVICE_NAME override. */
export const logger = new Logger({ serviceName: SERVICE_NAME });

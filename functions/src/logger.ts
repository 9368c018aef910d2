import { Logger } from '@aws-lambda-powertools/logger';

/** One logger per bundle; POWERTOOLS_LOG_LEVEL and POWERTOOLS_SERVICE_NAME override. */
export const logger = new Logger({ serviceName: 'cbm-ledger' });

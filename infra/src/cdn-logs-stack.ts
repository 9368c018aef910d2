/**
 * CloudFront standard logging v2 for a deployed ledger's public view. CloudFront delivers its
 * access logs through CloudWatch Logs' vended-log deliveries, whose delivery source must be
 * created in us-east-1, while the ledger's stack lives in its own region (often an opt-in one,
 * where legacy logging cannot deliver at all). So the delivery is a small stack of its own in
 * us-east-1, deployed after the ledger's stack from two of its outputs; it writes to the
 * ledger's CDN log bucket in the ledger's region, which admits exactly this delivery
 * (PublicView grants it).
 */
import { Aws, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { CdnLogsConfig } from './config.js';

/** CloudFront's delivery sources exist only in this region. */
export const CDN_LOGS_REGION = 'us-east-1';

export interface CdnLogsStackProps extends StackProps {
  /** The ledger stack whose public view logs. */
  readonly ledgerStackName: string;
  readonly cdnLogs: CdnLogsConfig;
}

export class CdnLogsStack extends Stack {
  readonly delivery: logs.CfnDelivery;

  constructor(scope: Construct, id: string, props: CdnLogsStackProps) {
    super(scope, id, {
      description: `CBM Ledger (${props.ledgerStackName}): CloudFront standard logging v2 of the public view`,
      ...props,
      env: { ...props.env, region: CDN_LOGS_REGION },
    });
    const { distributionId, bucketName } = props.cdnLogs;
    const source = new logs.CfnDeliverySource(this, 'Source', {
      name: `${props.ledgerStackName}-public-view`,
      logType: 'ACCESS_LOGS',
      resourceArn: `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/${distributionId}`,
    });
    const destination = new logs.CfnDeliveryDestination(this, 'Destination', {
      name: `${props.ledgerStackName}-cdn-logs`,
      destinationResourceArn: `arn:${Aws.PARTITION}:s3:::${bucketName}`,
      outputFormat: 'json',
    });
    this.delivery = new logs.CfnDelivery(this, 'Delivery', {
      deliverySourceName: source.name,
      deliveryDestinationArn: destination.attrArn,
    });
    this.delivery.addDependency(source);
  }
}

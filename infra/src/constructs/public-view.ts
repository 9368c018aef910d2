/**
 * The public transparency view (DESIGN.md §5): CloudFront in front of the API's `/public/v1/*`,
 * caching exactly as the API's Cache-Control headers say (no default TTL: a response without
 * caching headers is not cached), read-only methods, CORS for browsers, security headers.
 * Everything outside /public/v1/ is answered 404 at the edge, so CloudFront cannot be used to
 * reach the authenticated API (or to submit).
 */
import {
  Annotations,
  Aws,
  CfnCondition,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  Token,
} from 'aws-cdk-lib';
import { problemJson } from '@cbm-ledger/contract';
import type { ICfnConditionExpression } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CDN_LOGS_REGION } from '../cdn-logs-stack.js';
import { acknowledge } from '../nag.js';
import { VIEWER_IP_HEADER } from './ledger-api.js';
import type { OriginVerify } from './ledger-api.js';

/** Fn::Or takes 2..10 conditions: nest larger sets. */
function anyOf(conditions: ICfnConditionExpression[]): ICfnConditionExpression {
  if (conditions.length <= 10) return Fn.conditionOr(...conditions);
  const groups: ICfnConditionExpression[] = [];
  for (let i = 0; i < conditions.length; i += 10) {
    const group = conditions.slice(i, i + 10);
    groups.push(
      group.length === 1 ? (group[0] as ICfnConditionExpression) : Fn.conditionOr(...group),
    );
  }
  return anyOf(groups);
}

export const PUBLIC_PREFIX = '/public/v1/';

export interface PublicViewProps {
  readonly api: apigw.RestApi;
  /** Receives the CloudFront log bucket's own server access logs. */
  readonly accessLogsBucket: s3.IBucket;
  readonly accessLogExpiryDays: number;
  /** A CLOUDFRONT-scope web ACL (must live in us-east-1), if the operator has one. */
  readonly webAclArn?: string;
  /** Added to every origin request; the API's WAF serves /public/* only with it. */
  readonly originVerify: OriginVerify;
}

/** The only query parameters of /public/v1/* (functions/src/routes/public.ts): the rest never reach the origin or the cache key. */
export const PUBLIC_QUERY_PARAMETERS = [
  'at',
  'before',
  'from',
  'index',
  'limit',
  'start',
  'to',
  'treeSize',
];

/**
 * Regions where CloudFront's legacy standard logging cannot deliver to an S3 bucket (opt-in
 * regions and the newest ones). There the distribution logs nothing to S3 (see PublicView).
 */
export const NO_LEGACY_CDN_LOGGING_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
];

// Runs at the edge on every viewer request of the default behaviour, i.e. every path that is
// not /public/v1/*: answer the router's 404 without reaching the origin.
const NOT_PUBLIC_FUNCTION = `function handler(event) {
  return {
    statusCode: 404,
    statusDescription: 'Not Found',
    headers: {
      'content-type': { value: 'application/problem+json' },
      'cache-control': { value: 'no-store' }
    },
    body: {
      encoding: 'text',
      data: ${JSON.stringify(problemJson('NOT_FOUND', `only ${PUBLIC_PREFIX}* is served here`))}
    }
  };
}`;

// On /public/v1/*: the viewer's own address, for the API's per-viewer WAF rate rule. It
// replaces whatever a viewer sent under that name.
const VIEWER_IP_FUNCTION = `function handler(event) {
  event.request.headers['${VIEWER_IP_HEADER}'] = { value: event.viewer.ip };
  return event.request;
}`;

export class PublicView extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly logsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PublicViewProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;

    // CloudFront standard logs are delivered with ACLs, so this bucket (unlike the others)
    // must accept object ACLs.
    this.logsBucket = new s3.Bucket(this, 'Logs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'cdn-logs/',
      lifecycleRules: [
        {
          id: 'expire-cdn-logs',
          expiration: Duration.days(props.accessLogExpiryDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // CloudFront standard logging v2 (the us-east-1 stack of cdn-logs-stack.ts) delivers here,
    // in every region, opt-in ones included: only a delivery source of this account may write,
    // and only under the prefix deliveries use.
    this.logsBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudFrontLoggingV2Delivery',
        principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.logsBucket.arnForObjects(`AWSLogs/${Aws.ACCOUNT_ID}/CloudFront/*`)],
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Aws.ACCOUNT_ID,
            's3:x-amz-acl': 'bucket-owner-full-control',
          },
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:logs:${CDN_LOGS_REGION}:${Aws.ACCOUNT_ID}:delivery-source:*`,
          },
        },
      }),
    );

    // Policy names are account-wide: the region keeps two regions' stacks of one name apart.
    const policyName = `${stackName}-public-${Aws.REGION}`;
    const cachePolicy = new cloudfront.CachePolicy(this, 'HonourOriginCaching', {
      cachePolicyName: policyName,
      comment:
        'Cache as the API says (Cache-Control); only the known query parameters are in the key',
      defaultTtl: Duration.seconds(0),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.days(365),
      // Random parameters would each miss the cache and reach the API.
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.allowList(
        ...PUBLIC_QUERY_PARAMETERS,
      ),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const originRequest = new cloudfront.OriginRequestPolicy(this, 'ViewerAddress', {
      originRequestPolicyName: policyName,
      comment: "Forward the viewer's address (set at the edge) for the API's rate limit",
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(VIEWER_IP_HEADER),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.none(),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    });
    const viewerIp = new cloudfront.Function(this, 'ViewerIp', {
      comment: "Set the viewer's address for the API's per-viewer rate limit",
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(VIEWER_IP_FUNCTION),
    });
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      responseHeadersPolicyName: policyName,
      comment: 'CORS for the public view, security headers',
      corsBehavior: {
        accessControlAllowOrigins: ['*'],
        accessControlAllowMethods: ['GET', 'HEAD', 'OPTIONS'],
        accessControlAllowHeaders: ['*'],
        accessControlExposeHeaders: ['ETag', 'Cache-Control', 'Content-Type', 'Link'],
        accessControlAllowCredentials: false,
        accessControlMaxAge: Duration.days(1),
        originOverride: true,
      },
      securityHeadersBehavior: {
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER,
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });
    const notPublic = new cloudfront.Function(this, 'NotPublic', {
      comment: 'Answer 404 outside /public/v1/',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(NOT_PUBLIC_FUNCTION),
    });

    // Legacy standard logging cannot deliver to buckets in opt-in regions. A region-agnostic
    // template decides at deploy time (a condition on AWS::Region); a synth for one region
    // decides now.
    const region = Stack.of(this).region;
    const regionKnown = !Token.isUnresolved(region);
    const legacyLogging = !regionKnown || !NO_LEGACY_CDN_LOGGING_REGIONS.includes(region);
    if (!legacyLogging) {
      Annotations.of(this).addWarningV2(
        'cbm-ledger:noCdnLogs',
        `CloudFront cannot deliver legacy standard logs to ${region}: after deploying, deploy the public view's logging v2 stack (-c cdnLogsDistributionId=… -c cdnLogsBucket=…, see README "Deploy"); until then its requests are logged only as they reach the API (access log, WAF).`,
      );
    }

    // HTTPS only, TLS 1.2 to the origin (RestApiOrigin's fixed settings).
    const origin = new origins.RestApiOrigin(props.api, {
      readTimeout: Duration.seconds(30),
      customHeaders: { [props.originVerify.headerName]: props.originVerify.value },
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${stackName}: CBM Ledger public transparency view`,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL,
      enableLogging: legacyLogging,
      ...(legacyLogging ? { logBucket: this.logsBucket, logFilePrefix: 'cloudfront/' } : {}),
      ...(props.webAclArn === undefined ? {} : { webAclId: props.webAclArn }),
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        functionAssociations: [
          { function: notPublic, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      additionalBehaviors: {
        [`${PUBLIC_PREFIX}*`]: {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
          cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
          cachePolicy,
          originRequestPolicy: originRequest,
          responseHeadersPolicy: headers,
          compress: true,
          functionAssociations: [
            { function: viewerIp, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
          ],
        },
      },
    });

    if (legacyLogging && !regionKnown) {
      const supported = new CfnCondition(this, 'LegacyLoggingSupported', {
        expression: Fn.conditionNot(
          anyOf(NO_LEGACY_CDN_LOGGING_REGIONS.map((r) => Fn.conditionEquals(Aws.REGION, r))),
        ),
      });
      const cfn = this.distribution.node.defaultChild as cloudfront.CfnDistribution;
      cfn.addPropertyOverride(
        'DistributionConfig.Logging',
        Fn.conditionIf(
          supported.logicalId,
          { Bucket: this.logsBucket.bucketRegionalDomainName, Prefix: 'cloudfront/' },
          Aws.NO_VALUE,
        ),
      );
    }
    if (!legacyLogging) {
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR3',
        "CloudFront legacy standard logging cannot deliver to S3 buckets in this (opt-in) region; the distribution logs through standard logging v2 instead, whose delivery lives in us-east-1 (the cdn-logs stack, deployed from this stack's outputs) and writes to this stack's CDN log bucket.",
      );
    }
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'The public transparency view is meant to be readable from every country: restricting it by geography would defeat its purpose (DESIGN.md section 5).',
    );
    if (props.webAclArn === undefined) {
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR2',
        'A CloudFront web ACL must be created in us-east-1 and this stack is region-agnostic; pass -c publicWebAclArn=<arn> to attach one. The origin API keeps its regional WAF (rate limit and managed rules), and the edge serves only cached read-only GETs.',
      );
    }
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'The distribution uses the default *.cloudfront.net certificate, whose viewer security policy CloudFront fixes (TLSv1); choosing TLSv1.2_2021 needs a custom domain with an ACM certificate in us-east-1, which this region-agnostic stack does not create. Clients of the public view are verifiers, and every response is verified by signature, not by transport.',
    );
  }

  /** https://<distribution domain>/public/v1/ */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}${PUBLIC_PREFIX}`;
  }
}

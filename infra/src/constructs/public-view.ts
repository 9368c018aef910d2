/**
 * The public transparency view (DESIGN.md §5): CloudFront in front of the API's `/public/v1/*`,
 * caching exactly as the API's Cache-Control headers say (no default TTL: a response without
 * caching headers is not cached), read-only methods, CORS for browsers, security headers.
 * Everything outside /public/v1/ is answered 404 at the edge, so CloudFront cannot be used to
 * reach the authenticated API (or to submit).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

export const PUBLIC_PREFIX = '/public/v1/';

export interface PublicViewProps {
  readonly api: apigw.RestApi;
  /** Receives the CloudFront log bucket's own server access logs. */
  readonly accessLogsBucket: s3.IBucket;
  readonly accessLogExpiryDays: number;
  /** A CLOUDFRONT-scope web ACL (must live in us-east-1), if the operator has one. */
  readonly webAclArn?: string;
}

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
      data: '{"type":"urn:cbm-ledger:problem:not-found","title":"Not found","status":404,"detail":"only ${PUBLIC_PREFIX}* is served here","code":"NOT_FOUND"}'
    }
  };
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

    const cachePolicy = new cloudfront.CachePolicy(this, 'HonourOriginCaching', {
      cachePolicyName: `${stackName}-public`,
      comment: 'Cache as the API says (Cache-Control); query strings are part of the key',
      defaultTtl: Duration.seconds(0),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.days(365),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      responseHeadersPolicyName: `${stackName}-public`,
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

    // HTTPS only, TLS 1.2 to the origin (RestApiOrigin's fixed settings).
    const origin = new origins.RestApiOrigin(props.api, { readTimeout: Duration.seconds(30) });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${stackName}: CBM Ledger public transparency view`,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: this.logsBucket,
      logFilePrefix: 'cloudfront/',
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
          responseHeadersPolicy: headers,
          compress: true,
        },
      },
    });

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

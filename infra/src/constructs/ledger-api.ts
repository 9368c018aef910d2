/**
 * The REST API (DESIGN.md §5): one explicit resource per normative path, each method integrated
 * with the one function allowed to serve it; stage throttling; access and execution logging
 * (never request bodies: a restricted envelope must not land in logs); X-Ray; a request
 * validator; gateway errors as RFC 9457 problem+json; a WAFv2 web ACL. CORS exists only on the
 * public view.
 *
 * Unknown paths get API Gateway's MISSING_AUTHENTICATION_TOKEN response, rewritten to the
 * router's 404 problem; a wrong method on a known path reaches the `router` function through
 * the resource's ANY method, which answers 405 with `Allow` exactly as the local runtime does.
 *
 * Request validation: the validator checks required query parameters at the gateway; bodies are
 * validated by the handlers, which own the contract's error codes (a gateway JSON-schema model
 * would answer the same bad input with other codes on AWS than on the local runtime).
 */
import { ArnFormat, Aws, Fn, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { problemJson, problemStatus } from '@cbm-ledger/contract';
import type { ProblemCode } from '@cbm-ledger/contract';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import type { LedgerFunction } from './ledger-function.js';

export type RouteTarget = 'submit' | 'read' | 'cosign' | 'router';

/** The secret header by which the API's WAF recognises requests from the public view's CloudFront. */
export interface OriginVerify {
  readonly headerName: string;
  /** A CloudFormation dynamic reference to the secret value (never the value itself). */
  readonly value: string;
}

/** The header the public view's edge function sets to the viewer's address (never the viewer). */
export const VIEWER_IP_HEADER = 'x-cbm-viewer-ip';
/** Requests with larger bodies are blocked by WAF, except on the one route that takes DSSE envelopes. */
export const LARGE_BODY_ROUTE = '/v1/statements';
/** The label AWSManagedRulesCommonRuleSet's body-size rule adds (in count mode here). */
export const BODY_SIZE_LABEL = 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body';

export interface ApiRouteSpec {
  readonly method: 'GET' | 'POST';
  /** A DESIGN.md §5 path. */
  readonly path: string;
  readonly target: RouteTarget;
  /** Query parameters the gateway requires (the handler checks them again). */
  readonly requiredQuery?: readonly string[];
}

/** Every authenticated-API route and the function that serves it. */
export const API_ROUTES: readonly ApiRouteSpec[] = [
  { method: 'GET', path: '/v1/ledger', target: 'read' },
  // Static and needs no data access: the router function serves it (no role rights at all).
  { method: 'GET', path: '/v1/openapi.json', target: 'router' },
  { method: 'POST', path: '/v1/statements', target: 'submit' },
  { method: 'GET', path: '/v1/statements/{id}', target: 'read' },
  { method: 'GET', path: '/v1/entries', target: 'read' },
  { method: 'GET', path: '/v1/entries/{index}', target: 'read' },
  { method: 'GET', path: '/v1/checkpoint', target: 'read' },
  { method: 'POST', path: '/v1/checkpoint/cosignatures', target: 'cosign' },
  { method: 'GET', path: '/v1/checkpoints/{size}', target: 'read' },
  {
    method: 'GET',
    path: '/v1/proofs/inclusion',
    target: 'read',
    requiredQuery: ['index', 'treeSize'],
  },
  { method: 'GET', path: '/v1/proofs/consistency', target: 'read', requiredQuery: ['from', 'to'] },
  { method: 'POST', path: '/v1/evidence', target: 'submit' },
  { method: 'GET', path: '/v1/evidence/{sha256}', target: 'read' },
  { method: 'GET', path: '/v1/parties', target: 'read' },
  { method: 'GET', path: '/v1/parties/{id}', target: 'read' },
  { method: 'GET', path: '/v1/measures', target: 'read' },
  { method: 'GET', path: '/v1/measures/{id}/timeline', target: 'read' },
  { method: 'GET', path: '/v1/compliance', target: 'read' },
  // The statement schemas (routes/schemas.ts): static, served with the other reads.
  { method: 'GET', path: '/v1/schemas', target: 'read' },
  { method: 'GET', path: '/v1/schemas/{type}', target: 'read' },
];

/** The public view's resource: everything below it goes to the read-only public function. */
export const PUBLIC_PATH = '/public/{proxy+}';

export interface LedgerApiProps {
  readonly stageName: string;
  readonly submit: LedgerFunction;
  readonly read: LedgerFunction;
  readonly cosign: LedgerFunction;
  readonly public: LedgerFunction;
  readonly router: LedgerFunction;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  /** Per-method throttle of every POST route (a flood of reads cannot use submit's share). */
  readonly submitThrottleRateLimit: number;
  readonly submitThrottleBurstLimit: number;
  readonly wafRateLimitPer5Min: number;
  /** The header CloudFront adds to every origin request, and its secret value. */
  readonly originVerify: OriginVerify;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

interface ProblemSpec {
  readonly type: apigw.ResponseType;
  /** The gateway's own status where it differs from the code's (a timeout is a 504). */
  readonly status?: number;
  readonly code: ProblemCode;
  readonly detail: string;
}

// The gateway answers in the functions' problem format: type, title and status come from the
// one problem table (@cbm-ledger/contract), as they do in functions/src/http/problem.ts.
const PROBLEMS: readonly ProblemSpec[] = [
  {
    type: apigw.ResponseType.BAD_REQUEST_PARAMETERS,
    code: 'MALFORMED',
    detail: '$context.error.validationErrorString',
  },
  {
    type: apigw.ResponseType.BAD_REQUEST_BODY,
    code: 'MALFORMED',
    detail: 'the request body is not valid',
  },
  {
    type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    code: 'NOT_FOUND',
    detail: 'no route for this path',
  },
  {
    type: apigw.ResponseType.RESOURCE_NOT_FOUND,
    code: 'NOT_FOUND',
    detail: 'no route for this path',
  },
  {
    type: apigw.ResponseType.REQUEST_TOO_LARGE,
    code: 'BODY_TOO_LARGE',
    detail: 'the request exceeds the gateway limit',
  },
  {
    type: apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'unsupported Content-Type',
  },
  {
    type: apigw.ResponseType.THROTTLED,
    code: 'THROTTLED',
    detail: 'the API is throttling requests; retry later',
  },
  {
    type: apigw.ResponseType.QUOTA_EXCEEDED,
    code: 'THROTTLED',
    detail: 'request quota exceeded; retry later',
  },
  {
    type: apigw.ResponseType.WAF_FILTERED,
    code: 'FORBIDDEN',
    detail: 'the request was blocked by the web application firewall',
  },
  {
    type: apigw.ResponseType.ACCESS_DENIED,
    code: 'FORBIDDEN',
    detail: 'access denied',
  },
  {
    type: apigw.ResponseType.INTEGRATION_TIMEOUT,
    status: 504,
    code: 'STORE_UNAVAILABLE',
    detail: 'the request timed out; retry later',
  },
  {
    type: apigw.ResponseType.INTEGRATION_FAILURE,
    status: 502,
    code: 'INTERNAL',
    detail: 'internal error (request $context.requestId)',
  },
  {
    type: apigw.ResponseType.DEFAULT_5XX,
    code: 'INTERNAL',
    detail: 'internal error (request $context.requestId)',
  },
];

function gatewayStatus(p: ProblemSpec): number {
  return p.status ?? problemStatus(p.code);
}

const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  requestTime: '$context.requestTime',
  method: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  integrationStatus: '$context.integration.status',
  errorMessage: '$context.error.message',
  errorType: '$context.error.responseType',
  wafStatus: '$context.waf.status',
  xrayTraceId: '$context.xrayTraceId',
});

export class LedgerApi extends Construct {
  readonly api: apigw.RestApi;
  readonly webAcl: wafv2.CfnWebACL;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: LedgerApiProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `${stackName}-api`,
      description: 'CBM Ledger: signed CSBM declarations, verifiable log, public transparency view',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // API Gateway needs an account-level role to write execution logs; kept on stack deletion
      // because it is shared by every REST API of the account and region.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      minCompressionSize: Size.kibibytes(1),
      deployOptions: {
        stageName: props.stageName,
        loggingLevel: apigw.MethodLoggingLevel.INFO,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
        methodOptions: Object.fromEntries(
          API_ROUTES.filter((r) => r.method === 'POST').map((r) => [
            `${r.path}/POST`,
            {
              throttlingRateLimit: props.submitThrottleRateLimit,
              throttlingBurstLimit: props.submitThrottleBurstLimit,
            },
          ]),
        ),
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });
    acknowledge(
      this.api,
      'AwsSolutions-APIG4',
      'DESIGN.md section 5: submissions are authenticated by their DSSE Ed25519 signatures, verified by admission against the registry; the public view is anonymous by definition; other reads authenticate callers with their registered Ed25519 keys (RFC 9421) in the handler. No gateway authorizer can express key-based authorization against the ledger registry.',
    );
    acknowledge(
      this.api,
      'AwsSolutions-COG4',
      'States, observers and the public hold Ed25519 keys registered in the ledger, not Cognito identities: callers are authenticated by DSSE or RFC 9421 signatures (DESIGN.md section 5), which a Cognito user pool authorizer cannot check.',
    );
    const cwRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cwRole !== undefined) {
      acknowledge(
        cwRole,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        'The account-level API Gateway logging role needs exactly this AWS managed policy (it must create log groups named after the API id, which are not known in advance); it is assumable only by apigateway.amazonaws.com.',
      );
    }

    const validator = this.api.addRequestValidator('Validator', {
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const integrations: Record<RouteTarget | 'public', apigw.LambdaIntegration> = {
      submit: this.integration(props.submit),
      read: this.integration(props.read),
      cosign: this.integration(props.cosign),
      public: this.integration(props.public),
      router: this.integration(props.router),
    };

    const resourcesWithMethods = new Set<apigw.IResource>();
    for (const route of API_ROUTES) {
      const resource = this.api.root.resourceForPath(route.path.slice(1));
      const requestParameters: Record<string, boolean> = {};
      for (const name of route.requiredQuery ?? [])
        requestParameters[`method.request.querystring.${name}`] = true;
      resource.addMethod(route.method, integrations[route.target], {
        authorizationType: apigw.AuthorizationType.NONE,
        requestValidator: validator,
        requestParameters,
      });
      resourcesWithMethods.add(resource);
    }

    const publicResource = this.api.root.resourceForPath(PUBLIC_PATH.slice(1));
    publicResource.addMethod('GET', integrations.public, {
      authorizationType: apigw.AuthorizationType.NONE,
      requestValidator: validator,
    });
    publicResource.addCorsPreflight({
      allowOrigins: apigw.Cors.ALL_ORIGINS,
      allowMethods: ['GET', 'HEAD', 'OPTIONS'],
      allowHeaders: [
        'Accept',
        'Accept-Encoding',
        'If-None-Match',
        'If-Modified-Since',
        'Content-Type',
      ],
      allowCredentials: false,
    });
    resourcesWithMethods.add(publicResource);

    // Other methods on known paths: the router answers 405 with Allow, touching no data.
    for (const resource of resourcesWithMethods) {
      resource.addMethod('ANY', integrations.router, {
        authorizationType: apigw.AuthorizationType.NONE,
        requestValidator: validator,
      });
    }

    for (const problem of PROBLEMS) {
      this.api.addGatewayResponse(`Problem${problem.type.responseType}`, {
        type: problem.type,
        statusCode: String(gatewayStatus(problem)),
        responseHeaders: {
          'Content-Type': "'application/problem+json'",
          'Cache-Control': "'no-store'",
        },
        templates: {
          'application/json': problemJson(problem.code, problem.detail, gatewayStatus(problem)),
        },
      });
    }

    this.webAcl = this.createWebAcl(
      props.wafRateLimitPer5Min,
      props.originVerify,
      props.logRetention,
      props.logRemovalPolicy,
    );
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }

  private integration(fn: LedgerFunction): apigw.LambdaIntegration {
    // One invoke permission per method and path (SourceArn .../<stage>/<METHOD>/<path>), so a
    // function can be invoked by API Gateway only for the routes it serves; none for the
    // console's test-invoke.
    return new apigw.LambdaIntegration(fn.function, {
      proxy: true,
      scopePermissionToMethod: true,
      allowTestInvoke: false,
    });
  }

  /** The API stage's execute-api URL, e.g. https://id.execute-api.region.amazonaws.com/prod/ */
  get url(): string {
    return this.api.url;
  }

  private createWebAcl(
    rateLimit: number,
    originVerify: OriginVerify,
    logRetention: logs.RetentionDays,
    logRemovalPolicy: RemovalPolicy,
  ): wafv2.CfnWebACL {
    const stackName = Stack.of(this).stackName;
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const managed = (
      priority: number,
      name: string,
      overrides: string[] = [],
    ): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ...(overrides.length === 0
            ? {}
            : {
                ruleActionOverrides: overrides.map((rule) => ({
                  name: rule,
                  actionToUse: { count: {} },
                })),
              }),
        },
      },
      visibilityConfig: visibility(name),
    });
    const none = [{ priority: 0, type: 'NONE' }];
    // Requests CloudFront forwards carry the origin-verify header; nobody else knows its value.
    const fromCloudFront: wafv2.CfnWebACL.StatementProperty = {
      byteMatchStatement: {
        fieldToMatch: { singleHeader: { Name: originVerify.headerName } },
        positionalConstraint: 'EXACTLY',
        searchString: originVerify.value,
        textTransformations: none,
      },
    };
    const notFromCloudFront: wafv2.CfnWebACL.StatementProperty = {
      notStatement: { statement: fromCloudFront },
    };
    const rateLimited = {
      block: { customResponse: { responseCode: 429, customResponseBodyKey: 'rate-limited' } },
    };
    const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `${stackName}-api`,
      description:
        'CBM Ledger API: public view only through CloudFront, rate limits per viewer and per IP, body size, AWS managed rule groups',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`${stackName}-api`),
      customResponseBodies: {
        'rate-limited': {
          contentType: 'APPLICATION_JSON',
          content: problemJson('THROTTLED', 'too many requests from this address; retry later'),
        },
        'not-found': {
          contentType: 'APPLICATION_JSON',
          content: problemJson(
            'NOT_FOUND',
            'the public view is served through its CloudFront distribution',
          ),
        },
        'too-large': {
          contentType: 'APPLICATION_JSON',
          content: problemJson(
            'BODY_TOO_LARGE',
            'the request body is larger than this route accepts',
          ),
        },
      },
      rules: [
        // /public/* is reachable on execute-api directly; only CloudFront may use it, so its
        // cache and its per-viewer limit cannot be bypassed.
        {
          name: 'PublicOnlyThroughCloudFront',
          priority: 0,
          action: {
            block: { customResponse: { responseCode: 404, customResponseBodyKey: 'not-found' } },
          },
          statement: {
            andStatement: {
              statements: [
                {
                  byteMatchStatement: {
                    fieldToMatch: { uriPath: {} },
                    positionalConstraint: 'CONTAINS',
                    searchString: '/public/',
                    textTransformations: [
                      { priority: 0, type: 'URL_DECODE' },
                      { priority: 1, type: 'LOWERCASE' },
                    ],
                  },
                },
                notFromCloudFront,
              ],
            },
          },
          visibilityConfig: visibility('PublicOnlyThroughCloudFront'),
        },
        // Behind CloudFront the source address is CloudFront's: key on the viewer's address,
        // which the edge function writes into its own header (a viewer cannot set it: the
        // function overwrites it, and requests without the origin secret never match here).
        {
          name: 'RateLimitPerViewer',
          priority: 1,
          action: rateLimited,
          statement: {
            rateBasedStatement: {
              limit: rateLimit,
              evaluationWindowSec: 300,
              aggregateKeyType: 'FORWARDED_IP',
              forwardedIpConfig: { headerName: VIEWER_IP_HEADER, fallbackBehavior: 'MATCH' },
              scopeDownStatement: fromCloudFront,
            },
          },
          visibilityConfig: visibility('RateLimitPerViewer'),
        },
        {
          name: 'RateLimitPerIp',
          priority: 2,
          action: rateLimited,
          statement: {
            rateBasedStatement: {
              limit: rateLimit,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
              scopeDownStatement: notFromCloudFront,
            },
          },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
        managed(3, 'AWSManagedRulesAmazonIpReputationList'),
        // Counted, then blocked by BodySizeOutsideSubmissions below except on POST
        // /v1/statements, whose DSSE envelopes reach the ledger's 256 KiB limit (the handler
        // enforces it). NoUserAgent_HEADER stays a block: the cbm client, CLI and witness all
        // send fetch's User-Agent.
        managed(4, 'AWSManagedRulesCommonRuleSet', ['SizeRestrictions_BODY']),
        managed(5, 'AWSManagedRulesKnownBadInputsRuleSet'),
        {
          name: 'BodySizeOutsideSubmissions',
          priority: 6,
          action: {
            block: { customResponse: { responseCode: 413, customResponseBodyKey: 'too-large' } },
          },
          statement: {
            andStatement: {
              statements: [
                { labelMatchStatement: { scope: 'LABEL', key: BODY_SIZE_LABEL } },
                {
                  notStatement: {
                    statement: {
                      byteMatchStatement: {
                        fieldToMatch: { uriPath: {} },
                        positionalConstraint: 'ENDS_WITH',
                        searchString: LARGE_BODY_ROUTE,
                        textTransformations: none,
                      },
                    },
                  },
                },
              ],
            },
          },
          visibilityConfig: visibility('BodySizeOutsideSubmissions'),
        },
      ],
    });

    // WAF logs go to a log group whose name must start with aws-waf-logs-; only blocked and
    // counted requests are kept.
    // Unique per stack instance (its id's UUID): a retained group of a deleted stack must not
    // collide with the next deploy's.
    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    const wafLogGroupName = `aws-waf-logs-${stackName}-${stackUuid}`;
    const wafLogs = new LogGroup(this, 'WafLogs', {
      logGroupName: wafLogGroupName,
      retention: logRetention,
      removalPolicy: logRemovalPolicy,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: acl.attrArn,
      // WAF wants the log group ARN without the trailing ':*' of its Arn attribute.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: wafLogGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [
              { ActionCondition: { Action: 'BLOCK' } },
              { ActionCondition: { Action: 'COUNT' } },
            ],
          },
        ],
      },
    });
    logging.node.addDependency(wafLogs);
    return acl;
  }
}

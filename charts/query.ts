import { Construct } from 'constructs';
import { ENV } from '../functions/shared/constants';
import { BundledFunction } from './constructs/BundledFunction';
import { EncryptedLogGroup } from './constructs/EncryptedLogGroup';
import { IamFunctionUrl } from './constructs/IamFunctionUrl';
import { AccessStatement, LeastPrivilegeRole } from './constructs/LeastPrivilegeRole';
import { OperatorPolicy } from './constructs/OperatorPolicy';
import { EnvironmentConfig } from './lib/config';
import { hotTierReadAccess } from './lib/hotTierReadAccess';
import { PlatformNames } from './lib/names';
import { PlatformChart, PlatformChartProps } from './lib/PlatformChart';
import { queryFunctionAccess } from './lib/queryFunctionAccess';

/**
 * Sizing of the query function. A roll-up of a quarter of a 1 Hz sensor reads about 180 pages of 1 MB
 * (DynamoDB pages whole minute buckets, whatever the projection; the read budget bounds it) and a raw day
 * up to 100,000 readings; both are JSON parsing, so CPU-bound: 1,024 MB (~0.6 vCPU).
 * 30 s is far above a request's usual second and below Grafana's default 30 s data source timeout
 * plus its retry, and the limits (functions/shared/query/constants.ts) refuse what would take longer.
 */
export const QUERY_FUNCTION_SETTINGS = { memoryMb: 1024, timeoutSeconds: 30 } as const;

/** Kubernetes object names of what this chart creates that has no AWS name of its own. */
function queryObjectNames(config: EnvironmentConfig): { logGroup: string; functionUrl: string } {
  return { logGroup: `logs-query-${config.suffix}`, functionUrl: `url-query-${config.suffix}` };
}

/**
 * What a dashboard (Grafana's SigV4 credentials) needs to call the function URL: both actions, since
 * October 2025 Lambda authorizes a URL request against InvokeFunctionUrl and InvokeFunction, each only
 * through the IAM-authenticated URL, so the same credentials cannot invoke the function directly.
 */
function queryDashboardAccess(names: PlatformNames): AccessStatement[] {
  const functionArn = names.functionArn(names.queryFunction);
  return [
    { sid: 'CallQueryFunctionUrl', actions: ['lambda:InvokeFunctionUrl'], resources: [functionArn], conditions: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } } },
    { sid: 'InvokeThroughFunctionUrl', actions: ['lambda:InvokeFunction'], resources: [functionArn], conditions: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } } },
  ];
}

/** Environment of the query function (names from functions/shared/constants.ts). */
function queryFunctionEnvironment(config: EnvironmentConfig, names: PlatformNames): Record<string, string> {
  return {
    [ENV.powertoolsServiceName]: 'query',
    [ENV.powertoolsMetricsNamespace]: names.metricsNamespace,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    [ENV.readingsTable]: names.readingsTable,
    [ENV.assetStatusTable]: names.assetStatusTable,
    [ENV.plantId]: config.plant.id,
    [ENV.hotRetentionDays]: String(config.retention.hotDays),
  };
}

/**
 * The read path of the hot tier: the `query` function (functions/query) with its role and log group,
 * inside the private subnets like the stream functions (DynamoDB through the gateway endpoint), behind
 * an IAM-authenticated function URL; and the managed policies of its callers: operators running
 * `npm run query`, and dashboards calling the URL.
 *
 * A function URL and not API Gateway: one caller kind (Grafana's server, SigV4-signed), no API keys,
 * usage plans or custom domains needed, and no second service to secure and pay for; the URL is only
 * reachable with IAM credentials of this account.
 */
export class QueryChart extends PlatformChart {
  readonly functionUrl: IamFunctionUrl;

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, props);
    const { config, names } = this;
    const objects = queryObjectNames(config);
    const logGroupName = names.logGroup(names.queryFunction);

    const role = new LeastPrivilegeRole(this, 'role', {
      config,
      names,
      roleName: names.queryRole,
      description: 'Execution role of the query Lambda function: read the hot tier',
      trust: { service: 'lambda.amazonaws.com', conditions: { StringEquals: { 'aws:SourceAccount': config.accountId } } },
      policies: { query: queryFunctionAccess(config, names) },
    });

    new EncryptedLogGroup(this, 'logs', { config, names, objectName: objects.logGroup, logGroupName });

    const fn = new BundledFunction(this, 'function', {
      config,
      names,
      functionName: names.queryFunction,
      codeName: 'query',
      description: 'Reads sensor series and line assets from the hot tier for dashboards (function URL, AWS_IAM)',
      roleObjectName: role.objectName,
      memoryMb: QUERY_FUNCTION_SETTINGS.memoryMb,
      timeoutSeconds: QUERY_FUNCTION_SETTINGS.timeoutSeconds,
      environment: queryFunctionEnvironment(config, names),
      logGroupName,
      subnetObjects: names.privateSubnets.map((subnet) => subnet.object),
      securityGroupObjects: [names.functionsSecurityGroup],
    });

    this.functionUrl = new IamFunctionUrl(this, 'url', { config, names, objectName: objects.functionUrl, functionObjectName: fn.objectName });

    new OperatorPolicy(this, 'operator-policy', {
      config,
      names,
      policyName: names.queryOperatorPolicy,
      description: 'Run npm run query (scripts/query.ts): read the readings and asset-status tables, decrypt through DynamoDB',
      statements: hotTierReadAccess(config, names),
    });
    new OperatorPolicy(this, 'dashboard-policy', {
      config,
      names,
      policyName: names.queryDashboardPolicy,
      description: 'Call the query function URL with SigV4 (Grafana Infinity data source)',
      statements: queryDashboardAccess(names),
    });
  }
}

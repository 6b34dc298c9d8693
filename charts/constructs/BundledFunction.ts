import { Construct } from 'constructs';
import { Function as LambdaFunction } from '../../imports/lambda.services.k8s.aws';
import { LAMBDA_LIMITS, LAMBDA_MEMORY_VARIABLE } from '../../functions/shared/constants';
import { FunctionBundle, HANDLER_EXPORT, NODE_MAJOR_VERSION } from '../lib/bundle';
import { bundleFunction } from '../lib/bundleFunction';
import { bundleInputLines } from '../lib/bundleInputLines';
import { EnvironmentConfig } from '../lib/config';
import { ackMetadata } from '../lib/ackMetadata';
import { platformTags } from '../lib/platformTags';
import { PlatformNames } from '../lib/names';

/** Application log levels Lambda's advanced logging controls accept. */
export type ApplicationLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

export interface BundledFunctionProps {
  readonly config: EnvironmentConfig;
  readonly names: PlatformNames;
  /** Physical function name (also the Kubernetes object name). */
  readonly functionName: string;
  /** Folder under the functions root holding `index.ts`. */
  readonly codeName: string;
  readonly description: string;
  /** Kubernetes object name of the ACK Role the function runs as. */
  readonly roleObjectName: string;
  /** Memory, MB; Lambda allocates CPU in proportion (1,769 MB = one vCPU). */
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Environment variables; the names Lambda reserves are rejected. */
  readonly environment: Readonly<Record<string, string>>;
  /** The log group the function writes to (created beside it, encrypted, with retention). */
  readonly logGroupName: string;
  /** Kubernetes object names of the private subnets (one per availability zone). */
  readonly subnetObjects: readonly string[];
  /** Kubernetes object names of the security groups of the function's network interfaces. */
  readonly securityGroupObjects: readonly string[];
  /**
   * Lowest level of application logs Lambda keeps.
   * @default 'INFO'
   */
  readonly applicationLogLevel?: ApplicationLogLevel;
  /**
   * Kubernetes object name of the ACK KMS Key that encrypts the function's environment variables.
   * @default names.kmsKeyObject
   */
  readonly kmsKeyObject?: string;
  /**
   * Folder holding one sub-folder per function.
   * @default FUNCTIONS_DIR (functions/ of this repository)
   */
  readonly functionsDir?: string;
}

/** Annotations that tie the inline zip to its sources, for reviewers and `npm run diff`. */
export const BUNDLE_ANNOTATIONS = {
  /** SHA-256 over every input file of the bundle: changes exactly when the code's inputs change. */
  inputsSha256: 'telemetry.plant/bundle-inputs-sha256',
  /** One line per source file (`<hash> <path>`) and per npm package (`<name>@<version>`). */
  sources: 'telemetry.plant/bundle-sources',
} as const;

export const NODE_RUNTIME = `nodejs${NODE_MAJOR_VERSION}.x`;
export const ARCHITECTURE = 'arm64';
/** Lambda's limit on the total size of a function's environment variables (names plus values). */
export const MAX_ENVIRONMENT_BYTES = 4096;

/** Bytes of a function's environment variables as Lambda counts them against MAX_ENVIRONMENT_BYTES: names and values. */
export function environmentBytes(environment: Readonly<Record<string, string>>): number {
  return Object.entries(environment).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value), 0);
}
/** Variables the Lambda runtime sets itself; a function cannot define them. */
export const RESERVED_ENVIRONMENT_VARIABLES = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_DEFAULT_REGION', 'AWS_EXECUTION_ENV',
  LAMBDA_MEMORY_VARIABLE, 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_LAMBDA_RUNTIME_API', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN', 'LAMBDA_RUNTIME_DIR', 'LAMBDA_TASK_ROOT',
] as const;

/**
 * An ACK Lambda Function whose code is bundled from `functions/<codeName>/index.ts` at synth and carried
 * inline (zipFile + sha256), running on NODE_RUNTIME / ARCHITECTURE inside the platform's private subnets, with
 * its environment variables encrypted with the platform key and JSON logs to an explicit log group.
 */
export class BundledFunction extends Construct {
  readonly functionName: string;
  /** The Kubernetes object name, for ACK `functionRef: {from: {name}}`. */
  readonly objectName: string;
  readonly bundle: FunctionBundle;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    const { config, names } = props;
    const fail = (field: string, rule: string, value: unknown): never => {
      throw new Error(`BundledFunction: props.${field} ${rule}, got ${JSON.stringify(value)}`);
    };
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(props.functionName)) fail('functionName', 'must match [A-Za-z0-9_-]{1,64}', props.functionName);
    const memory = LAMBDA_LIMITS.memoryMb;
    if (!Number.isInteger(props.memoryMb) || props.memoryMb < memory.min || props.memoryMb > memory.max) fail('memoryMb', `must be an integer from ${memory.min} to ${memory.max}`, props.memoryMb);
    if (!Number.isInteger(props.timeoutSeconds) || props.timeoutSeconds < 1 || props.timeoutSeconds > 900) fail('timeoutSeconds', 'must be an integer from 1 to 900', props.timeoutSeconds);
    for (const name of Object.keys(props.environment)) {
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) fail('environment', 'names must match [A-Za-z][A-Za-z0-9_]*', name);
      if ((RESERVED_ENVIRONMENT_VARIABLES as readonly string[]).includes(name)) fail('environment', 'must not set a variable Lambda reserves', name);
    }
    const bytes = environmentBytes(props.environment);
    if (bytes > MAX_ENVIRONMENT_BYTES) fail('environment', `must total at most ${MAX_ENVIRONMENT_BYTES} bytes (Lambda's limit), is ${bytes} bytes`, Object.keys(props.environment));
    if (props.subnetObjects.length < 2) fail('subnetObjects', 'must name at least two subnets (availability zones) so one zone can fail', props.subnetObjects);
    if (props.securityGroupObjects.length === 0) fail('securityGroupObjects', 'must name at least one security group', props.securityGroupObjects);

    this.functionName = props.functionName;
    this.objectName = props.functionName;
    this.bundle = bundleFunction(props.codeName, props.functionsDir ? { functionsDir: props.functionsDir } : {});
    const variables = Object.fromEntries(Object.entries(props.environment).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

    const metadata = ackMetadata(config, names, props.functionName, 'functions');
    new LambdaFunction(this, 'Resource', {
      metadata: {
        ...metadata,
        annotations: {
          ...metadata.annotations,
          [BUNDLE_ANNOTATIONS.inputsSha256]: this.bundle.inputs.sha256,
          [BUNDLE_ANNOTATIONS.sources]: bundleInputLines(this.bundle.inputs),
        },
      },
      spec: {
        name: props.functionName,
        description: props.description,
        runtime: NODE_RUNTIME,
        architectures: [ARCHITECTURE],
        packageType: 'Zip',
        handler: `index.${HANDLER_EXPORT}`,
        // The controller updates code only when sha256 changes, so both always travel together.
        code: { zipFile: this.bundle.zipFileBase64, sha256: this.bundle.sha256Base64 },
        roleRef: { from: { name: props.roleObjectName } },
        memorySize: props.memoryMb,
        timeout: props.timeoutSeconds,
        environment: { variables },
        // The platform key, not Lambda's AWS-managed one. Lambda encrypts and decrypts the variables with
        // the identity of the controller that creates, updates and reads the function (its policy and the
        // key policy allow that through Lambda only) and lets the execution role decrypt them at start
        // through a grant it creates on the key: the function's role needs no KMS permission for them.
        kmsKeyRef: { from: { name: props.kmsKeyObject ?? names.kmsKeyObject } },
        vpcConfig: {
          subnetRefs: props.subnetObjects.map((name) => ({ from: { name } })),
          securityGroupRefs: props.securityGroupObjects.map((name) => ({ from: { name } })),
        },
        loggingConfig: {
          logFormat: 'JSON',
          applicationLogLevel: props.applicationLogLevel ?? 'INFO',
          // INFO keeps the platform REPORT lines: max memory used and init duration are in no standard metric,
          // and they are what memory tuning reads.
          systemLogLevel: 'INFO',
          logGroup: props.logGroupName,
        },
        // X-Ray off: it would need an interface endpoint in the internet-less VPC and xray:Put* on "*";
        // EMF metrics and structured logs carry the latency and failure figures operations use.
        tracingConfig: { mode: 'PassThrough' },
        tags: platformTags(config),
      },
    });
  }
}

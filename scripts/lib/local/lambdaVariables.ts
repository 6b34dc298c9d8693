import { LAMBDA_MEMORY_VARIABLE } from '../../../functions/shared/constants';
import type { FunctionSpec } from './LocalManifests';

/**
 * The environment of one execution environment, as Lambda builds it: the rendered variables, then the runtime's
 * own. Nothing comes from the shell that started the pipeline, so a variable the manifest forgot is missing
 * here as it would be in AWS. `local` holds what the pipeline adds (credentials, the emulators' endpoints, the
 * load test's overrides).
 */
export function lambdaVariables(spec: FunctionSpec, region: string, local: Readonly<Record<string, string>>): Record<string, string> {
  return {
    // Lambda sets these and lets a function's configuration replace them.
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: '/usr/local/bin:/usr/bin/:/bin:/opt/bin',
    // The SDK warns on Node.js 20, the local runtime; Lambda runs the rendered runtime, where it does not.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...spec.variables,
    ...local,
    // Reserved: Lambda refuses them in a function's configuration.
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime ?? 'nodejs22.x'}`,
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    [LAMBDA_MEMORY_VARIABLE]: String(spec.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroup ?? `/aws/lambda/${spec.name}`,
    _HANDLER: spec.handler,
    LAMBDA_TASK_ROOT: '/var/task',
    LAMBDA_RUNTIME_DIR: '/var/runtime',
  };
}

import { Construct } from 'constructs';
import { FunctionUrlConfig } from '../../imports/lambda.services.k8s.aws';
import { ackMetadata } from '../lib/ackMetadata';
import { EnvironmentConfig } from '../lib/config';
import { PlatformNames } from '../lib/names';

export interface IamFunctionUrlProps {
  readonly config: EnvironmentConfig;
  readonly names: PlatformNames;
  /** Kubernetes object name of the URL configuration. */
  readonly objectName: string;
  /** Kubernetes object name of the ACK Function (`functionRef`); the controller resolves it to the function's name. */
  readonly functionObjectName: string;
}

/** The only auth type this construct renders: a SigV4-signed request of an IAM principal allowed by identity policy. */
export const FUNCTION_URL_AUTH_TYPE = 'AWS_IAM';

const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * An ACK FunctionURLConfig with `authType: AWS_IAM`, no CORS (Grafana calls it from its server, not a
 * browser) and no qualifier ($LATEST). No resource-based permission is rendered: with AWS_IAM, principals
 * of the account need only an identity policy (lambda:InvokeFunctionUrl and lambda:InvokeFunction), and
 * nothing outside the account can invoke it. The lambda controller (v1.14.1) takes the function from
 * `functionRef` (its `spec.name`), uses it as the URL's identifier, compares authType, cors,
 * functionName, functionRef and qualifier, and tags nothing (function URLs take no tags).
 */
export class IamFunctionUrl extends Construct {
  readonly objectName: string;

  constructor(scope: Construct, id: string, props: IamFunctionUrlProps) {
    super(scope, id);
    for (const [field, value] of [['objectName', props.objectName], ['functionObjectName', props.functionObjectName]] as const) {
      if (!OBJECT_NAME.test(value)) throw new Error(`IamFunctionUrl: props.${field} must be a Kubernetes object name ([a-z0-9-], at most 63), got "${value}"`);
    }
    this.objectName = props.objectName;
    new FunctionUrlConfig(this, 'Resource', {
      metadata: ackMetadata(props.config, props.names, props.objectName, 'functionUrls'),
      spec: { authType: FUNCTION_URL_AUTH_TYPE, functionRef: { from: { name: props.functionObjectName } } },
    });
  }
}

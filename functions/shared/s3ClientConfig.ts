import { sdkClientConfig, type SdkClientConfig } from './sdkClientConfig';

/** The S3 endpoint override the SDK reads itself (AWS_ENDPOINT_URL_<SERVICE>); tests and local runs point it at an emulator. */
const S3_ENDPOINT_VARIABLE = 'AWS_ENDPOINT_URL_S3';

export interface S3ClientConfig extends SdkClientConfig {
  readonly forcePathStyle: boolean;
}

/**
 * sdkClientConfig for the S3 client, with path-style addressing when the endpoint is overridden:
 * an emulator on localhost has no DNS for `<bucket>.localhost`.
 */
export function s3ClientConfig(env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  return { ...sdkClientConfig(), forcePathStyle: env[S3_ENDPOINT_VARIABLE] !== undefined };
}

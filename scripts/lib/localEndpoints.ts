/** Where `npm run local` tells the other tools how to reach its emulators. */
export const LOCAL_ENDPOINTS_DIRECTORY = '.local';

/** The emulators of one running local pipeline that operator tools talk to. */
export interface LocalEndpoints {
  readonly environment: string;
  /** The DynamoDB endpoint the functions use (hot tier and status tables). */
  readonly dynamodb: string;
  /** The process serving them, so a file left by a killed pipeline is recognised. */
  readonly pid: number;
  /** The MQTT broker (`mqtts://127.0.0.1:8883`); absent in files written before it was recorded. */
  readonly broker?: string;
}

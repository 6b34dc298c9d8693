import { GetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createServer, type Server, type Socket } from 'node:net';
import { DYNAMODB_CLIENT } from '../../../functions/query/constants';
import { RETRY_POLICY } from '../../../functions/shared/constants';
import { sdkClientConfig, type SdkClientSettings } from '../../../functions/shared/sdkClientConfig';

/** A TCP server that accepts connections and never answers: a stalled DynamoDB connection. */
async function silentServer(): Promise<{ server: Server; port: number; connections: () => number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, connections: () => sockets.length, sockets };
}

/** Sends one GetItem to a server that never answers; answers what the SDK raised, how long it took and how many connections it made. */
async function stalledGet(settings: SdkClientSettings): Promise<{ error: unknown; ms: number; connections: number }> {
  const silent = await silentServer();
  const client = new DynamoDBClient({
    ...sdkClientConfig(settings),
    region: 'sa-east-1',
    endpoint: `http://127.0.0.1:${silent.port}`,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  const startedAt = Date.now();
  try {
    const error = await client.send(new GetItemCommand({ TableName: 'readings', Key: { sensorId: { S: 'pump-07#temperature' } } })).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    return { error, ms: Date.now() - startedAt, connections: silent.connections() };
  } finally {
    client.destroy();
    for (const socket of silent.sockets) socket.destroy();
    await new Promise((resolve) => silent.server.close(resolve));
  }
}

describe('sdkClientConfig', () => {
  it("the stream functions' clients make one attempt (withRetry owns the policy); the query function's retries with the SDK", () => {
    expect(sdkClientConfig().maxAttempts).toBe(1);
    expect(DYNAMODB_CLIENT).toEqual({ maxAttempts: 3, attemptTimeoutMs: 5_000 });
    expect(sdkClientConfig(DYNAMODB_CLIENT).maxAttempts).toBe(3);
    expect(RETRY_POLICY.attemptTimeoutMs).toBeLessThan(DYNAMODB_CLIENT.attemptTimeoutMs);
  });

  it('a stalled connection fails its attempt after the timeout, rather than holding the invocation to the function timeout', async () => {
    const oneAttempt = await stalledGet({ attemptTimeoutMs: 200 });
    expect(oneAttempt.error).toMatchObject({ name: 'TimeoutError' });
    expect(oneAttempt.connections).toBe(1);
    expect(oneAttempt.ms).toBeLessThan(3_000);
  });

  it('with SDK retries, each stalled attempt is cut off and retried', async () => {
    const retried = await stalledGet({ maxAttempts: 2, attemptTimeoutMs: 200 });
    expect(retried.error).toMatchObject({ name: 'TimeoutError' });
    // Two attempts of 200 ms and the SDK's backoff between them, far inside the function's 30 s.
    expect(retried.connections).toBe(2);
    expect(retried.ms).toBeLessThan(5_000);
  });
});

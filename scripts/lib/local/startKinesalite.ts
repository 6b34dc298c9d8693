import kinesalite from 'kinesalite';
import type { Server } from 'node:http';
import { listen } from './listen';
import { close } from './close';
import type { Emulator } from './Emulator';

/** kinesalite (in-memory Kinesis) on 127.0.0.1, a free port. */
export async function startKinesalite(): Promise<Emulator> {
  const server: Server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 });
  const endpoint = await listen(server);
  return { endpoint, stop: () => close(server) };
}

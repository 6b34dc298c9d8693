import dynalite from 'dynalite';
import type { Server } from 'node:http';
import { listen } from './listen';
import { close } from './close';
import type { Emulator } from './Emulator';

/** dynalite (in-memory DynamoDB) on 127.0.0.1, a free port. */
export async function startDynalite(): Promise<Emulator> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = await listen(server);
  return { endpoint, stop: () => close(server) };
}

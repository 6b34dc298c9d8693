/** The emulators ship no type declarations; these cover the in-process use in tests and the bench. */
declare module 'dynalite' {
  import type { Server } from 'node:http';
  interface DynaliteOptions {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
    path?: string;
  }
  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}

declare module 'kinesalite' {
  import type { Server } from 'node:http';
  interface KinesaliteOptions {
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
    path?: string;
  }
  function kinesalite(options?: KinesaliteOptions): Server;
  export = kinesalite;
}

import { DynamoService } from './DynamoService';
import { BACKGROUND_NICE } from './threadPriority';
import type { RequestAuthorizer } from './RequestAuthorizer';

/**
 * DynamoDB as the running functions see it: one DynamoService per group of tables (the tables the running
 * functions name in their `*_TABLE` variables, grouped so that a function's tables share one; the others go
 * with the first), each in its own thread. DynamoDB's tables do not share capacity, so the storer's
 * read-modify-writes of minute buckets do not queue in front of the processor's status and checkpoint writes.
 */
export class DynamoTables {
  readonly groups: ReadonlyArray<{ readonly label: string; readonly tables: readonly string[]; readonly service: DynamoService }>;

  /** `background`: tables only latency-tolerant functions use; their group's dynalite runs at BACKGROUND_NICE. */
  constructor(groups: ReadonlyArray<readonly string[]>, background: ReadonlySet<string> = new Set()) {
    this.groups = groups.map((tables) => ({
      label: `dynamodb ${tables.map((t) => t.replace(/^dynamodb-/, '')).join('+')}`,
      tables,
      service: new DynamoService(tables.every((table) => background.has(table)) ? BACKGROUND_NICE : 0),
    }));
  }

  async start(): Promise<void> {
    await Promise.all(this.groups.map((group) => group.service.start()));
  }

  /** The endpoint that holds `table` (the first one for a table of no group). */
  endpointOf(table: string | undefined): string {
    return (this.groups.find((group) => table !== undefined && group.tables.includes(table)) ?? this.groups[0])?.service.endpoint ?? '';
  }

  /** Every table's dynalite decides the functions' requests with `authorizer` (DynamoService.enforce). */
  enforce(authorizer: RequestAuthorizer): void {
    for (const group of this.groups) group.service.enforce(authorizer);
  }

  watchStatusTable(table: string, onLatencies: (latencies: readonly number[]) => void): void {
    const group = this.groups.find((g) => g.tables.includes(table));
    if (!group) return;
    group.service.watchStatusTable(table);
    group.service.onStatusLatencies = onLatencies;
  }

  injectShare(operation: string, fault: 'throttle', share: number, durationMs: number): void {
    for (const group of this.groups) group.service.injectShare(operation, fault, share, durationMs);
  }

  clear(): void {
    for (const group of this.groups) group.service.clear();
  }

  /** Requests per operation over every table group, as of the workers' last reports. */
  get counts(): Record<string, number> {
    const total: Record<string, number> = {};
    for (const group of this.groups) for (const [operation, n] of Object.entries(group.service.counts)) total[operation] = (total[operation] ?? 0) + n;
    return total;
  }

  get throttled(): number {
    return this.groups.reduce((sum, group) => sum + group.service.throttled, 0);
  }

  async stop(): Promise<void> {
    await Promise.all(this.groups.map((group) => group.service.stop()));
  }
}

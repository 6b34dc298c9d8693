import type { LocalPipeline } from './LocalPipeline';

const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const ms = (n: number): string => (Number.isFinite(n) ? (n >= 10_000 ? `${(n / 1000).toFixed(0)} s` : `${Math.round(n)} ms`) : '-');

/** The once-a-second status line of the local pipeline: rates are differences between two calls. */
export class LiveOutput {
  #last = { at: Date.now(), received: 0, readings: 0, delivered: new Map<string, number>() };

  constructor(private readonly pipeline: LocalPipeline) {}

  line(): string {
    const { gateway, functions } = this.pipeline;
    const now = Date.now();
    const seconds = Math.max(0.001, (now - this.#last.at) / 1000);
    const c = gateway.counters;
    const parts = [
      `devices ${c.connected}`,
      `in ${fmt((c.received - this.#last.received) / seconds)} msg/s ${fmt((c.readingsIn - this.#last.readings) / seconds)} readings/s`,
    ];
    const delivered = new Map<string, number>();
    for (const [name, running] of functions) {
      if (running.pollers.length === 0) continue;
      const before = this.#last.delivered.get(name) ?? 0;
      delivered.set(name, running.counters.recordsDelivered);
      const short = running.host.spec.name.replace(/^lambda-/, '').replace(/-[^-]+$/, '');
      parts.push(`${short} ${fmt((running.counters.recordsDelivered - before) / seconds)} rec/s age ${ms(running.counters.iteratorAgeMs)}${running.counters.dlqMessages > 0 ? ` dlq ${running.counters.dlqMessages}` : ''}`);
    }
    const processor = [...functions.values()].find((f) => /processor/.test(f.host.spec.name));
    parts.push(`alerts ${this.pipeline.alerts.filter((a) => a.attributes.eventType === 'anomaly').length}`);
    if (processor) parts.push(`e2e processor p50 ${ms(processor.latency.percentile(50))} p99 ${ms(processor.latency.percentile(99))}`);
    parts.push(`status p50 ${ms(this.pipeline.statusLatency.percentile(50))} p99 ${ms(this.pipeline.statusLatency.percentile(99))}`);
    parts.push(`alert p50 ${ms(this.pipeline.alertLatency.percentile(50))} p99 ${ms(this.pipeline.alertLatency.percentile(99))}`);
    if (c.errorActions + c.parseErrors + c.publishDenied + c.connectDenied + c.oversized > 0) {
      parts.push(`refused/failed: connect ${c.connectDenied}, publish ${c.publishDenied}, oversized ${c.oversized}, parse ${c.parseErrors}, error action ${c.errorActions}`);
    }
    this.#last = { at: now, received: c.received, readings: c.readingsIn, delivered };
    return parts.join(' | ');
  }
}

import type { App } from 'cdk8s';
import type { RenderedFile, RenderedObject } from './preflightRendering';

/** The rendering of an app in memory, one entry per chart file (cdk8s names them `<chart id>.k8s.yaml`). */
export function currentRendering(app: App): RenderedFile[] {
  return app.charts.map((chart) => ({ file: `${chart.node.id}.k8s.yaml`, objects: chart.toJson() as RenderedObject[] }));
}

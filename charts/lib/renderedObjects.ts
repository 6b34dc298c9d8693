import type { App } from 'cdk8s';
import type { RenderedObject } from './controllerPolicies';

/** Every object of an app, rendered in memory (what synth writes to the chart files). */
export function renderedObjects(app: App): RenderedObject[] {
  return app.charts.flatMap((chart) => chart.toJson() as RenderedObject[]);
}

import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { CapacityPlan } from './capacity';
import { EnvironmentConfig } from './config';
import { PlatformNames } from './names';

/** What every chart of the platform is given: the validated config and what derives from it. */
export interface PlatformChartProps extends ChartProps {
  readonly config: EnvironmentConfig;
  readonly names: PlatformNames;
  readonly capacity: CapacityPlan;
}

/** Base of the platform's charts: keeps config, names and capacity plan at hand. */
export abstract class PlatformChart extends Chart {
  readonly config: EnvironmentConfig;
  readonly names: PlatformNames;
  readonly capacity: CapacityPlan;

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, { ...props, namespace: props.namespace ?? props.names.namespace });
    this.config = props.config;
    this.names = props.names;
    this.capacity = props.capacity;
  }
}

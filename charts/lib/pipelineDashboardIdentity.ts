import { EnvironmentConfig } from './config';

/** Dashboard uid (Grafana allows 40 characters) and title of one environment's pipeline dashboard. */
export function pipelineDashboardIdentity(config: EnvironmentConfig): { uid: string; title: string; file: string } {
  return { uid: `telemetry-pipeline-${config.suffix}`, title: `Plant telemetry pipeline (${config.environment})`, file: `telemetry-pipeline-${config.suffix}.json` };
}

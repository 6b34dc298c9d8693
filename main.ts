import { resolve } from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import { AnalyticsChart } from './charts/analytics';
import { ArchiveChart } from './charts/archive';
import { GitOpsChart } from './charts/gitops';
import { GitOpsBootstrapChart } from './charts/gitopsBootstrap';
import { GrafanaChart } from './charts/grafana';
import { IngestionChart } from './charts/ingestion';
import { planCapacity } from './charts/lib/capacity';
import { loadEnvironmentConfig } from './charts/lib/loadEnvironmentConfig';
import { PlatformNames } from './charts/lib/names';
import { PlatformChartProps } from './charts/lib/PlatformChart';
import { NetworkChart } from './charts/network';
import { ObservabilityChart } from './charts/observability';
import { ProcessingChart } from './charts/processing';
import { QueryChart } from './charts/query';
import { RECIPIENTS_CHART_ID, RecipientsChart } from './charts/recipients';
import { SecurityChart } from './charts/security';
import { StorageChart } from './charts/storage';
import { StreamChart } from './charts/stream';

/** The whole platform of one environment (`config/<environment>.yaml`), one chart per concern. */
export function buildApp(environment: string, outdir = `manifests/${environment}`, configDir?: string): App {
  const config = loadEnvironmentConfig(environment, configDir);
  const props: PlatformChartProps = { config, names: new PlatformNames(config), capacity: planCapacity(config) };
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  new GitOpsChart(app, 'gitops', props);
  new GitOpsBootstrapChart(app, 'gitops-bootstrap', props);
  new SecurityChart(app, 'security', props);
  new NetworkChart(app, 'network', props);
  new StorageChart(app, 'storage', props);
  new StreamChart(app, 'stream', props);
  new ProcessingChart(app, 'processing', props);
  new QueryChart(app, 'query', props);
  new IngestionChart(app, 'ingestion', props);
  new ArchiveChart(app, 'archive', props);
  new AnalyticsChart(app, 'analytics', props);
  new ObservabilityChart(app, 'observability', props);
  new RecipientsChart(app, RECIPIENTS_CHART_ID, props);
  new GrafanaChart(app, 'grafana', props);
  return app;
}

// `cdk8s synth` (cdk8s.yaml `app:`) runs this file after emptying its output folder: it renders through the one
// render path, `npm run synth` (scripts/synth.ts), into that folder.
if (require.main === module) {
  // Required here, not imported: scripts/synth.ts builds each environment's App with buildApp from this file.
  const { runSynth } = require('./scripts/synth') as typeof import('./scripts/synth');
  const outdir = process.env.CDK8S_OUTDIR;
  // Absolute: cdk8s names the folder from the project root, whatever folder the user ran it in.
  process.exitCode = runSynth(outdir === undefined ? [] : ['--out', resolve(outdir)]);
}

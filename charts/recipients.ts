import { Construct } from 'constructs';
import { EmailSubscription } from './constructs/EmailSubscription';
import { PlatformChart, PlatformChartProps } from './lib/PlatformChart';

/** The chart's id, hence its file (`[<index>-]recipients.k8s.yaml`), which the two Applications split by. */
export const RECIPIENTS_CHART_ID = 'recipients';

/**
 * The e-mail subscriptions of the alert and ops topics (stream chart), synced by an Application of
 * their own (GitOpsBootstrapChart). A subscription is Degraded in Argo CD until its recipient
 * follows the link SNS mailed (charts/argocd/ack-health.lua). In the platform's Application, whose
 * prunes run in a wave after every other (PruneLast), a Degraded object of an earlier wave fails the
 * sync: one unconfirmed recipient stopped every prune (a replaced address, a renamed resource, the
 * fan-out rollout's removal of the polled mapping). Here they sit alone, without PruneLast, so the
 * only wave is the last one and Argo CD counts the sync successful even while a recipient has not
 * confirmed; the Application shows Degraded until everyone has.
 */
export class RecipientsChart extends PlatformChart {
  readonly subscriptions: readonly EmailSubscription[];

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, props);
    const { config, names } = this;
    const subscribe = (topicObject: string, email: string): EmailSubscription =>
      new EmailSubscription(this, EmailSubscription.objectName(topicObject, email), { config, names, topicObject, email, wave: 'observability' });
    this.subscriptions = [
      ...config.alerts.anomalyEmails.map((email) => subscribe(names.alertTopic, email)),
      ...config.alerts.opsEmails.map((email) => subscribe(names.opsTopic, email)),
    ];
  }
}

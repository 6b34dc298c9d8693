import { EnvironmentConfig } from './config';
import { tagList } from './tagList';

/**
 * The platform tags that never change within an environment, for resources whose tags AWS sets only
 * at creation: CloudWatch ignores the tags of PutMetricAlarm on an existing alarm (and its controller
 * never reads them back), so the create-only admission policy refuses a change of an alarm's tags.
 * With the config's owner, cost center or classification on the alarms, a routine change of one of
 * those would be refused on every alarm and block every later sync of them.
 */
export function fixedTagList(config: EnvironmentConfig): { key: string; value: string }[] {
  return tagList(config).filter(({ key }) => key === 'project' || key === 'environment');
}

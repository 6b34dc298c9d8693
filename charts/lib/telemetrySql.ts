import { EnvironmentConfig } from './config';

/** The MQTT topic filter of the data contract v1 for this plant: `dt/<plant>/<line>/<thing>/telemetry`. */
function telemetryTopicFilter(config: EnvironmentConfig): string {
  return `dt/${config.plant.id}/+/+/telemetry`;
}

/**
 * The telemetry rule's SQL. With Basic Ingest the rule sees the topic without its
 * `$aws/rules/<rule>/` prefix, so topic(2..4) are plant, line and thing either way. No WHERE: a
 * message with a wrong schema still reaches the stream, where the processor quarantines it with the
 * reason (a WHERE would drop it without a trace).
 */
export function telemetrySql(config: EnvironmentConfig): string {
  return (
    'SELECT *, topic(2) AS plantId, topic(3) AS lineId, topic(4) AS thingName, clientid() AS clientId, ' +
    `timestamp() AS receivedAt FROM '${telemetryTopicFilter(config)}'`
  );
}

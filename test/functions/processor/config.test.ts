import { readProcessorConfig } from '../../../functions/processor/config';
import { Environment } from '../../../functions/shared/Environment';

const valid = {
  ASSET_STATUS_TABLE: 'dynamodb-asset-status-dev',
  DETECTOR_STATE_TABLE: 'dynamodb-detector-state-dev',
  ALERT_TOPIC_ARN: 'arn:aws:sns:sa-east-1:123456789012:sns-alerts-dev',
  ARCHIVE_BUCKET: 's3-archive-123456789012-dev',
  DASHBOARD_URL: 'https://sa-east-1.console.aws.amazon.com/cloudwatch/home?region=sa-east-1#dashboards/dashboard/telemetry-dev',
  DETECTOR_CONFIG: '{"warmupSamples":100,"limits":{"temperature":{"max":120}}}',
  STATUS_HEARTBEAT_SECONDS: '30',
};

describe('readProcessorConfig', () => {
  it('reads the processor variables and resolves the detector settings', () => {
    const config = readProcessorConfig(new Environment(valid));
    expect(config).toMatchObject({
      assetStatusTable: 'dynamodb-asset-status-dev',
      detectorStateTable: 'dynamodb-detector-state-dev',
      alertTopicArn: valid.ALERT_TOPIC_ARN,
      archiveBucket: 's3-archive-123456789012-dev',
      dashboardUrl: valid.DASHBOARD_URL,
      statusHeartbeatSeconds: 30,
      checkpointIntervalSeconds: 60,
    });
    expect(config.detectorSettings).toMatchObject({ warmupSamples: 100, limits: { temperature: { max: 120 } } });
    expect(config.acknowledgements).toEqual(new Map());
    expect(config.relearnRequests).toEqual(new Map());
  });

  it("reads operators' acknowledgements and requests to relearn from DETECTOR_CONFIG as epoch milliseconds per asset", () => {
    const config = readProcessorConfig(
      new Environment({ ...valid, DETECTOR_CONFIG: '{"warmupSamples":100,"acknowledge":{"pump-07":"2026-12-02T14:00:00Z"},"relearn":{"pump-09":"2026-12-03T06:00:00Z"}}' }),
    );
    expect(config.acknowledgements).toEqual(new Map([['pump-07', Date.UTC(2026, 11, 2, 14)]]));
    expect(config.relearnRequests).toEqual(new Map([['pump-09', Date.UTC(2026, 11, 3, 6)]]));
    expect(config.detectorSettings.warmupSamples).toBe(100);
    // The detector's own settings, without the requests the processor applies per asset.
    expect(config.detectorSettings).not.toHaveProperty('relearn');
  });

  it('defaults the heartbeat and the detector settings', () => {
    const { DETECTOR_CONFIG: _c, STATUS_HEARTBEAT_SECONDS: _s, ...rest } = valid;
    expect(readProcessorConfig(new Environment(rest)).statusHeartbeatSeconds).toBe(60);
  });

  it.each([
    [{ ALERT_TOPIC_ARN: undefined }, 'environment variable ALERT_TOPIC_ARN is required'],
    [{ ALERT_TOPIC_ARN: 'alerts' }, 'environment variable ALERT_TOPIC_ARN must be an sns ARN, got "alerts"'],
    [{ DASHBOARD_URL: 'http://x' }, 'environment variable DASHBOARD_URL must be an https URL, got "http://x"'],
    [{ DETECTOR_CONFIG: '[1]' }, 'environment variable DETECTOR_CONFIG must be a JSON object of detector settings, got [1]'],
    [{ DETECTOR_CONFIG: '{"warmupSamples":1}' }, 'environment variable DETECTOR_CONFIG is invalid: warmupSamples: expected an integer from 10 to 604800, got 1'],
    [
      { DETECTOR_CONFIG: '{"acknowledge":{"pump-07":"yesterday"}}' },
      'environment variable DETECTOR_CONFIG is invalid: acknowledge.pump-07: expected a UTC time written YYYY-MM-DDTHH:MM:SSZ (quoted in YAML), got "yesterday"',
    ],
    [
      { DETECTOR_CONFIG: '{"relearn":{"pump 09":"2026-12-03T06:00:00Z"}}' },
      'environment variable DETECTOR_CONFIG is invalid: relearn.pump 09: expected an asset id matching [A-Za-z0-9_.:-]{1,64}, got "pump 09"',
    ],
    [{ STATUS_HEARTBEAT_SECONDS: '0' }, 'environment variable STATUS_HEARTBEAT_SECONDS must be an integer from 10 to 86400, got "0"'],
    // The config schema's bounds: a value config/<env>.yaml could not hold is refused here too.
    [{ STATUS_HEARTBEAT_SECONDS: '5' }, 'environment variable STATUS_HEARTBEAT_SECONDS must be an integer from 10 to 86400, got "5"'],
  ])('names the variable that is wrong (%#)', (override, message) => {
    expect(() => readProcessorConfig(new Environment({ ...valid, ...override }))).toThrow(message);
  });
});

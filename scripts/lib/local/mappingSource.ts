import { kinesisSource, type KinesisSource } from './kinesisSource';
import type { LocalManifests, MappingSpec } from './LocalManifests';

/**
 * The source of `mapping` in `manifests`; throws for a consumer that no rendered StreamConsumer registers on
 * that stream, as AWS refuses a mapping on an unregistered consumer.
 */
export function mappingSource(manifests: Pick<LocalManifests, 'directory' | 'consumers'>, mapping: Pick<MappingSpec, 'objectName' | 'eventSourceArn'>): KinesisSource {
  const source = kinesisSource(mapping.eventSourceArn);
  const { consumer, streamName } = source;
  if (consumer !== undefined && !manifests.consumers.some((c) => c.name === consumer && c.streamName === streamName)) {
    throw new Error(`${mapping.objectName}: reads through consumer ${consumer} of stream ${streamName}, which no StreamConsumer in ${manifests.directory} registers`);
  }
  return source;
}

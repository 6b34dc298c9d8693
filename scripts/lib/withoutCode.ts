import { BUNDLE_ANNOTATIONS } from '../../charts/constructs/BundledFunction';
import { isObject } from './isObject';
import { JsonObject } from './manifestDiffValues';

/** The object without its zip, code hash and bundle annotations: the code line reports those. */
export function withoutCode(object: JsonObject): JsonObject {
  const copy = structuredClone(object);
  const code = isObject(copy.spec) && isObject(copy.spec.code) ? copy.spec.code : undefined;
  if (code) {
    delete code.zipFile;
    delete code.sha256;
  }
  const annotations = isObject(copy.metadata) && isObject(copy.metadata.annotations) ? copy.metadata.annotations : undefined;
  if (annotations) for (const name of Object.values(BUNDLE_ANNOTATIONS)) delete annotations[name];
  return copy;
}

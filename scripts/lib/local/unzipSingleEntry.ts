import { inflateRawSync } from 'node:zlib';

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

/**
 * The named entry of a ZIP archive (the format charts/lib/createZip.ts writes: local headers with sizes, no data
 * descriptors), walked from the first local header on. Enough for a Lambda package; not a general unzip.
 */
export function unzipSingleEntry(zip: Buffer, name: string): Buffer {
  let offset = 0;
  while (offset + 30 <= zip.length && zip.readUInt32LE(offset) === LOCAL_HEADER_SIGNATURE) {
    const method = zip.readUInt16LE(offset + 8);
    const compressedSize = zip.readUInt32LE(offset + 18);
    const nameLength = zip.readUInt16LE(offset + 26);
    const extraLength = zip.readUInt16LE(offset + 28);
    const entryName = zip.toString('utf8', offset + 30, offset + 30 + nameLength);
    const start = offset + 30 + nameLength + extraLength;
    const data = zip.subarray(start, start + compressedSize);
    if (entryName === name) {
      if (method === METHOD_DEFLATE) return inflateRawSync(data);
      if (method === METHOD_STORED) return Buffer.from(data);
      throw new Error(`zip: entry ${name} uses compression method ${method}; only stored and deflate are supported`);
    }
    offset = start + compressedSize;
  }
  throw new Error(`zip: no entry ${name} in the package`);
}

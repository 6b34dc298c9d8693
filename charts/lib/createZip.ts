import { deflateRawSync } from 'node:zlib';
import { crc32 } from './crc32';
import { ZIP_DOS_DATE, ZIP_DOS_TIME, ZIP_FILE_MODE } from './zip';

/**
 * A minimal ZIP writer for Lambda deployment packages, written for byte-for-byte reproducibility:
 * every entry carries the same DOS timestamp (1980-01-01 00:00, the format's epoch) and the same
 * Unix mode, entries are written in sorted name order, and nothing else varies (no extra fields,
 * no comments, no data descriptors). Deflate output is stable for a given zlib build
 * (`process.versions.zlib`), which is why the toolchain (Node major, package-lock) is pinned.
 */

/** One file of the archive. */
export interface ZipEntry {
  /** Path inside the archive, forward slashes, no leading slash. */
  readonly name: string;
  readonly data: Buffer;
}

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY_SIGNATURE = 0x06054b50;
/** 2.0: the version that introduced deflate. */
const VERSION_NEEDED = 20;
/** Host system 3 (Unix) in the high byte, so unzip tools honour the mode in the external attributes. */
const VERSION_MADE_BY = (3 << 8) | VERSION_NEEDED;
const METHOD_DEFLATE = 8;
/** Sizes and offsets above this need ZIP64, which this writer does not implement. */
const MAX_ZIP32 = 0xffffffff;

/** Builds a deterministic ZIP archive of `entries` (deflated, sorted by name). */
export function createZip(entries: readonly ZipEntry[]): Buffer {
  const names = entries.map((entry) => entry.name);
  if (new Set(names).size !== names.length) throw new Error(`zip: duplicate entry names in ${JSON.stringify(names)}`);
  for (const name of names) {
    if (name === '' || name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) {
      throw new Error(`zip: entry name ${JSON.stringify(name)} must be a relative path with forward slashes`);
    }
  }
  if (entries.length > 0xffff) throw new Error(`zip: ${entries.length} entries need ZIP64, which is not supported`);
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const localParts: Buffer[] = [];
  const centralParts: Buffer[] = [];
  let offset = 0;
  for (const entry of sorted) {
    const name = Buffer.from(entry.name, 'utf8');
    const compressed = deflateRawSync(entry.data, { level: 9 });
    const checksum = crc32(entry.data);
    if (entry.data.length > MAX_ZIP32 || offset > MAX_ZIP32) throw new Error(`zip: ${entry.name} needs ZIP64, which is not supported`);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER_SIGNATURE, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(0, 6); // flags: no data descriptor, plain ASCII names
    local.writeUInt16LE(METHOD_DEFLATE, 8);
    local.writeUInt16LE(ZIP_DOS_TIME, 10);
    local.writeUInt16LE(ZIP_DOS_DATE, 12);
    local.writeUInt32LE(checksum, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // no extra field (it would carry mtimes and uids)

    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_HEADER_SIGNATURE, 0);
    central.writeUInt16LE(VERSION_MADE_BY, 4);
    central.writeUInt16LE(VERSION_NEEDED, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(METHOD_DEFLATE, 10);
    central.writeUInt16LE(ZIP_DOS_TIME, 12);
    central.writeUInt16LE(ZIP_DOS_DATE, 14);
    central.writeUInt32LE(checksum, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30); // extra field length
    central.writeUInt16LE(0, 32); // comment length
    central.writeUInt16LE(0, 34); // disk number
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE((ZIP_FILE_MODE << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);

    localParts.push(local, name, compressed);
    centralParts.push(central, name);
    offset += local.length + name.length + compressed.length;
  }

  const centralDirectory = Buffer.concat(centralParts);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY_SIGNATURE, 0);
  end.writeUInt16LE(0, 4); // this disk
  end.writeUInt16LE(0, 6); // disk of the central directory
  end.writeUInt16LE(sorted.length, 8);
  end.writeUInt16LE(sorted.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20); // comment length
  return Buffer.concat([...localParts, centralDirectory, end]);
}

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { BUNDLE_BUDGETS, BUNDLE_ENTRY_FILE, FUNCTIONS_DIR } from '../../charts/lib/bundle';
import { bundleFunction } from '../../charts/lib/bundleFunction';
import { bundleInputLines } from '../../charts/lib/bundleInputLines';
import { crc32 } from '../../charts/lib/crc32';
import { createZip } from '../../charts/lib/createZip';
import { ZIP_DOS_DATE, ZIP_DOS_TIME, ZIP_FILE_MODE } from '../../charts/lib/zip';

/** One entry as read back from an archive by an independent (test-only) reader. */
interface ReadEntry {
  readonly name: string;
  readonly data: Buffer;
  readonly method: number;
  readonly time: number;
  readonly date: number;
  readonly mode: number;
  readonly crc: number;
}

/** Walks the end record, the central directory and each local header, inflating every entry. */
function readZip(zip: Buffer): ReadEntry[] {
  const end = zip.length - 22;
  expect(zip.readUInt32LE(end)).toBe(0x06054b50);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ReadEntry[] = [];
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const compressedSize = zip.readUInt32LE(at + 20);
    expect(zip.readUInt32LE(localOffset)).toBe(0x04034b50);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    entries.push({
      name,
      data: inflateRawSync(zip.subarray(dataStart, dataStart + compressedSize)),
      method: zip.readUInt16LE(at + 10),
      time: zip.readUInt16LE(at + 12),
      date: zip.readUInt16LE(at + 14),
      mode: zip.readUInt32LE(at + 38) >>> 16,
      crc: zip.readUInt32LE(at + 16),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** An independent reader (Python's zipfile, on every machine this project runs on) opens the package as Lambda would. */
const PYTHON_ZIP_READER = [
  'import sys, zipfile',
  'archive = zipfile.ZipFile(sys.argv[1])',
  'info = archive.getinfo(sys.argv[2])',
  'sys.stdout.write("%04d-%02d-%02d %02d:%02d %o %d\\n" % (info.date_time[:5] + (info.external_attr >> 16, info.create_system)))',
  'sys.stdout.write(archive.read(info).decode("utf-8"))',
].join('\n');

describe('zip writer', () => {
  test('CRC-32 matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  test('entries are sorted, deflated, dated 1980-01-01 00:00 with mode 0644, and round-trip', () => {
    const zip = createZip([
      { name: 'b.txt', data: Buffer.from('second '.repeat(100)) },
      { name: 'a/one.txt', data: Buffer.from('first') },
    ]);
    const entries = readZip(zip);
    expect(entries.map((entry) => entry.name)).toEqual(['a/one.txt', 'b.txt']);
    for (const entry of entries) {
      expect(entry.method).toBe(8);
      expect(entry.time).toBe(ZIP_DOS_TIME);
      expect(entry.date).toBe(ZIP_DOS_DATE);
      expect(entry.mode).toBe(ZIP_FILE_MODE);
      expect(entry.crc).toBe(crc32(entry.data));
    }
    expect(entries[1].data.toString()).toBe('second '.repeat(100));
    expect(createZip([{ name: 'a/one.txt', data: Buffer.from('first') }, { name: 'b.txt', data: Buffer.from('second '.repeat(100)) }])).toEqual(zip);
  });

  test('rejects duplicate and unsafe entry names', () => {
    expect(() => createZip([{ name: 'x', data: Buffer.alloc(1) }, { name: 'x', data: Buffer.alloc(1) }])).toThrow(new Error('zip: duplicate entry names in ["x","x"]'));
    expect(() => createZip([{ name: '../x', data: Buffer.alloc(1) }])).toThrow(new Error('zip: entry name "../x" must be a relative path with forward slashes'));
    expect(() => createZip([{ name: '/x', data: Buffer.alloc(1) }])).toThrow(new Error('zip: entry name "/x" must be a relative path with forward slashes'));
  });
});

describe('bundleFunction (fixture functions)', () => {
  let root: string;
  let functionsDir: string;

  const writeFunction = (name: string, files: Record<string, string>): void => {
    mkdirSync(join(functionsDir, name), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(functionsDir, name, file), text);
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'bundle-test-'));
    functionsDir = join(root, 'functions');
    writeFunction('demo', {
      'index.ts': [
        "import { greet } from './greet';",
        'export class DemoError extends Error {}',
        'export async function handler(event: { name: string }): Promise<string> {',
        "  if (event.name === 'sdk') {",
        "    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');",
        '    return typeof DynamoDBClient;',
        '  }',
        "  return `${greet(event.name)} from ${new DemoError('x').constructor.name}`;",
        '}',
        '',
      ].join('\n'),
      'greet.ts': 'export const greet = (name: string): string => `hello ${name}`;\n',
    });
    writeFunction('no-handler', { 'index.ts': 'export const main = (): number => 1;\n' });
    writeFunction('broken', { 'index.ts': 'export const handler = (: number => 1;\n' });
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('bundles one index.js whose handler runs, with the SDK left external and names kept', () => {
    const bundle = bundleFunction('demo', { functionsDir, maxZipBytes: 64 * 1024 });
    const entries = readZip(bundle.zip);
    expect(entries.map((entry) => entry.name)).toEqual([BUNDLE_ENTRY_FILE]);
    expect(entries[0].data.toString('utf8')).toBe(bundle.code);
    // Left as a runtime import (the nodejs22.x runtime provides SDK v3), not inlined.
    expect(bundle.code).toContain('import("@aws-sdk/client-dynamodb")');
    expect(bundle.code.length).toBeLessThan(4096);

    const out = join(root, 'out');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'index.js'), entries[0].data);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(join(out, 'index.js')) as { handler: (event: { name: string }) => Promise<string> };
    return expect(loaded.handler({ name: 'plant' })).resolves.toBe('hello plant from DemoError');
  });

  test('an independent zip reader extracts the same code and reads the fixed date, mode and Unix origin', () => {
    const bundle = bundleFunction('demo', { functionsDir, maxZipBytes: 64 * 1024 });
    const zipPath = join(root, 'demo.zip');
    writeFileSync(zipPath, bundle.zip);
    const output = execFileSync('python3', ['-c', PYTHON_ZIP_READER, zipPath, BUNDLE_ENTRY_FILE]).toString('utf8');
    const [header, ...code] = output.split('\n');
    // 1980-01-01 is the earliest DOS date; 100644 a regular file readable by the runtime; 3 means Unix.
    expect(header).toBe('1980-01-01 00:00 100644 3');
    expect(code.join('\n')).toBe(bundle.code);
  });

  test('two builds are byte-identical and sha256 is the base64 SHA-256 of the zip carried in zipFile', () => {
    const first = bundleFunction('demo', { functionsDir, maxZipBytes: 64 * 1024 });
    const second = bundleFunction('demo', { functionsDir, maxZipBytes: 64 * 1024 });
    expect(second.zip.equals(first.zip)).toBe(true);
    expect(Buffer.from(first.zipFileBase64, 'base64').equals(first.zip)).toBe(true);
    expect(first.sha256Base64).toBe(createHash('sha256').update(first.zip).digest('base64'));
  });

  test('the output carries no absolute path of the checkout', () => {
    const bundle = bundleFunction('demo', { functionsDir, maxZipBytes: 64 * 1024 });
    expect(bundle.code).not.toContain(root);
  });

  test('the inputs list each source with its hash; a changed source changes them, a changed test file does not', () => {
    const before = bundleFunction('demo', { functionsDir, maxZipBytes: 64 * 1024 }).inputs;
    expect(before.sources.map(({ path }) => path)).toEqual(['functions/demo/greet.ts', 'functions/demo/index.ts']);
    expect(before.packages).toEqual([]);
    expect(bundleInputLines(before).split('\n')).toEqual(before.sources.map(({ path, sha256 }) => `${sha256.slice(0, 12)} ${path}`));

    // A test beside the function and one under test/ are no input of the bundle.
    writeFunction('demo', { 'greet.test.ts': "import { greet } from './greet';\nexport const checked = greet('x');\n" });
    mkdirSync(join(root, 'test'), { recursive: true });
    writeFileSync(join(root, 'test', 'demo.test.ts'), 'export const other = 1;\n');
    expect(bundleFunction('demo', { functionsDir, maxZipBytes: 64 * 1024 }).inputs).toEqual(before);

    writeFunction('demo', { 'greet.ts': 'export const greet = (name: string): string => `hi ${name}`;\n' });
    const after = bundleFunction('demo', { functionsDir, maxZipBytes: 64 * 1024 }).inputs;
    expect(after.sha256).not.toBe(before.sha256);
    expect(after.sources.find(({ path }) => path === 'functions/demo/greet.ts')?.sha256).not.toBe(before.sources[0].sha256);
    expect(after.sources.find(({ path }) => path === 'functions/demo/index.ts')).toEqual(before.sources[1]);
  });

  test('a missing function folder fails with the entry it expected', () => {
    expect(() => bundleFunction('foo', { functionsDir, maxZipBytes: 1024 })).toThrow(
      new Error('bundle: functions/foo/index.ts not found: every function needs a handler entry'),
    );
  });

  test('a zip over its budget fails with its size and the budget', () => {
    const size = bundleFunction('demo', { functionsDir, maxZipBytes: 64 * 1024 }).zip.length;
    expect(() => bundleFunction('demo', { functionsDir, maxZipBytes: size - 1 })).toThrow(
      new Error(`bundle: functions/demo zip is ${size} bytes, over its budget of ${size - 1} bytes`),
    );
  });

  test('a function without a budget, without a handler export, or that does not compile fails by name', () => {
    expect(() => bundleFunction('demo', { functionsDir })).toThrow(new Error('bundle: functions/demo has no size budget; add it to BUNDLE_BUDGETS in charts/lib/bundle.ts'));
    expect(() => bundleFunction('no-handler', { functionsDir, maxZipBytes: 1024 })).toThrow(
      new Error('bundle: functions/no-handler/index.ts must export "handler" (the Function handler is index.handler)'),
    );
    expect(() => bundleFunction('broken', { functionsDir, maxZipBytes: 1024 })).toThrow(/^bundle: functions\/broken failed to build: functions\/broken\/index\.ts:1:\d+: /);
    expect(() => bundleFunction('Bad_Name', { functionsDir, maxZipBytes: 1024 })).toThrow(new Error('bundle: function name must match [a-z][a-z0-9-]*, got "Bad_Name"'));
  });
});

describe('bundleFunction (the repository functions)', () => {
  const present = Object.keys(BUNDLE_BUDGETS).filter((name) => existsSync(join(FUNCTIONS_DIR, name, 'index.ts')));

  test.each(present)('%s fits its budget, is reproducible and names no path of this checkout', (name) => {
    const bundle = bundleFunction(name);
    expect(bundle.zip.length).toBeLessThanOrEqual(BUNDLE_BUDGETS[name as keyof typeof BUNDLE_BUDGETS]);
    expect(bundle.code).not.toContain(join(FUNCTIONS_DIR, '..'));
    expect(bundleFunction(name).sha256Base64).toBe(bundle.sha256Base64);
    expect(readZip(bundle.zip).map((entry) => entry.name)).toEqual([BUNDLE_ENTRY_FILE]);
  });

  test.each(present)('%s lists its own sources under functions/ and the npm packages it bundles, never the SDK the runtime ships', (name) => {
    const { inputs } = bundleFunction(name);
    expect(inputs.sources.every(({ path }) => path.startsWith('functions/'))).toBe(true);
    expect(inputs.sources.map(({ path }) => path)).toContain(`functions/${name}/index.ts`);
    // The package's exports map hides its package.json from require: read it from node_modules.
    const logger = JSON.parse(readFileSync(join(FUNCTIONS_DIR, '..', 'node_modules', '@aws-lambda-powertools', 'logger', 'package.json'), 'utf8')) as { version: string };
    expect(inputs.packages).toContain(`@aws-lambda-powertools/logger@${logger.version}`);
    expect(inputs.packages.filter((pkg) => pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/'))).toEqual([]);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripDescriptions } from '../scripts/import';
import { IMPORT_USAGE } from '../scripts/lib/importArgs';

const IMPORT_SCRIPT = join(__dirname, '..', 'scripts', 'import.ts');

function runImport(folder: string): { status: number | null; stderr: string; stdout: string } {
  return spawnSync(process.execPath, [require.resolve('tsx/cli'), IMPORT_SCRIPT, folder], { encoding: 'utf8' });
}

describe('stripDescriptions', () => {
  test('removes schema description keywords at every depth', () => {
    const schema = { description: 'top', properties: { a: { type: 'string', description: 'field a' } } };
    expect(stripDescriptions(schema)).toEqual({ properties: { a: { type: 'string' } } });
  });

  test('keeps a property that is named description', () => {
    const schema = { properties: { description: { type: 'string', description: 'the role description' } } };
    expect(stripDescriptions(schema)).toEqual({ properties: { description: { type: 'string' } } });
  });
});

describe('npm run import errors', () => {
  test('a missing folder is one line naming it, exit 1', () => {
    const missing = join(tmpdir(), 'no-such-crds-folder');
    const result = runImport(missing);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`import: ${missing} is not a folder; ${IMPORT_USAGE}\n`);
  });

  test('a folder without CRDs is one line, exit 1, and imports/ is left as it was', () => {
    const empty = mkdtempSync(join(tmpdir(), 'crds-'));
    writeFileSync(join(empty, 'notes.yaml'), 'kind: ConfigMap\n');
    const result = runImport(empty);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`import: no CustomResourceDefinition found under ${empty}; imports/ is unchanged\n`);
  });
});

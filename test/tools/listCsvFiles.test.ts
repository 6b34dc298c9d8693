import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listCsvFiles } from '../../scripts/lib/listCsvFiles';

describe('listCsvFiles', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'list-csv-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const listing = (): { files: string[]; skipped: string[] } => {
    const skipped: string[] = [];
    const files = listCsvFiles(dir, (path, reason) => skipped.push(`${path}: ${reason}`));
    return { files, skipped };
  };

  it('lists *.csv files recursively in natural order', () => {
    mkdirSync(join(dir, 'valve'));
    for (const name of ['10.csv', '2.csv', 'notes.txt']) writeFileSync(join(dir, 'valve', name), '');
    writeFileSync(join(dir, 'a.csv'), '');
    expect(listing()).toEqual({ files: [join(dir, 'a.csv'), join(dir, 'valve', '2.csv'), join(dir, 'valve', '10.csv')], skipped: [] });
  });

  it('skips dangling links (a missing target, or one through a file) and reports them', () => {
    writeFileSync(join(dir, '1.csv'), '');
    symlinkSync('missing.csv', join(dir, 'gone.csv'));
    symlinkSync(join('1.csv', 'inner.csv'), join(dir, 'through-file.csv'));
    expect(listing()).toEqual({
      files: [join(dir, '1.csv')],
      skipped: [`${join(dir, 'gone.csv')}: dangling symbolic link`, `${join(dir, 'through-file.csv')}: dangling symbolic link`],
    });
  });

  it('skips a loop of links and a link back to an ancestor folder instead of recursing forever', () => {
    mkdirSync(join(dir, 'valve', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'valve', '1.csv'), '');
    symlinkSync('b', join(dir, 'a'));
    symlinkSync('a', join(dir, 'b'));
    symlinkSync(join('..', '..'), join(dir, 'valve', 'deeper', 'top'));
    expect(listing()).toEqual({
      files: [join(dir, 'valve', '1.csv')],
      skipped: [
        `${join(dir, 'a')}: loop of symbolic links`,
        `${join(dir, 'b')}: loop of symbolic links`,
        `${join(dir, 'valve', 'deeper', 'top')}: same folder as ., already listed`,
      ],
    });
  });

  it('lists a folder reached twice (a link beside it) once, so no file is scored twice', () => {
    mkdirSync(join(dir, 'valve'));
    writeFileSync(join(dir, 'valve', '1.csv'), '');
    symlinkSync('valve', join(dir, 'valve-link'));
    expect(listing()).toEqual({
      files: [join(dir, 'valve', '1.csv')],
      skipped: [`${join(dir, 'valve-link')}: same folder as valve, already listed`],
    });
  });

  it('follows a link to a file or folder that exists', () => {
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere', '7.csv'), '');
    mkdirSync(join(dir, 'bench'));
    symlinkSync(join('..', 'elsewhere'), join(dir, 'bench', 'data'));
    symlinkSync(join('..', 'elsewhere', '7.csv'), join(dir, 'bench', 'seven.csv'));
    const skipped: string[] = [];
    expect(listCsvFiles(join(dir, 'bench'), (path) => skipped.push(path))).toEqual([join(dir, 'bench', 'data', '7.csv'), join(dir, 'bench', 'seven.csv')]);
    expect(skipped).toEqual([]);
  });
});

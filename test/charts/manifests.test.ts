import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listEnvironments } from '../../charts/lib/listEnvironments';
import { buildApp } from '../../main';
import { RenderedObject } from '../helpers/platform';

/**
 * The complete rendering of each environment, chart by chart. Function code stays visible as what
 * it is built from (the bundle-sources annotation and spec.code.sha256); only the base64 of the zip
 * is replaced by its size, so a code change shows as the source files that changed.
 */
function renderForSnapshot(environment: string): Record<string, unknown[]> {
  const app = buildApp(environment, mkdtempSync(join(tmpdir(), `manifests-${environment}-`)));
  return Object.fromEntries(
    app.charts.map((chart) => [
      chart.node.id,
      (chart.toJson() as RenderedObject[]).map((object) => {
        const code = (object.spec as { code?: { zipFile?: string } } | undefined)?.code;
        if (object.kind !== 'Function' || code?.zipFile === undefined) return object;
        const spec = object.spec as Record<string, unknown>;
        return { ...object, spec: { ...spec, code: { ...code, zipFile: `<zip of ${Buffer.from(code.zipFile, 'base64').length} bytes>` } } };
      }),
    ]),
  );
}

describe.each(listEnvironments())('the manifests of %s', (environment) => {
  const rendered = renderForSnapshot(environment);

  test('match the snapshot, chart by chart', () => {
    expect(rendered).toMatchSnapshot();
  });

  test('no rendered line but function code is longer than 1,000 characters', () => {
    const outdir = mkdtempSync(join(tmpdir(), `manifests-lines-${environment}-`));
    buildApp(environment, outdir).synth();
    const long = readdirSync(outdir)
      .filter((file) => file.endsWith('.yaml'))
      .flatMap((file) =>
        readFileSync(join(outdir, file), 'utf8')
          .split('\n')
          .map((line, index) => ({ file, index, line }))
          .filter(({ line }) => line.length > 1000 && !line.trimStart().startsWith('zipFile: '))
          .map(({ file, index, line }) => `${file}:${index + 1}: ${line.length} characters: ${line.trim().slice(0, 60)}…`),
      );
    expect(long).toEqual([]);
  });
});

import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PROJECT_ROOT = resolve(__dirname, '../..');
const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

/**
 * Runs a tool into `head -0`, which exits before the tool writes its first line, so every write meets a
 * closed pipe: the tool's own exit status (PIPESTATUS[0]) and what it wrote on stderr.
 */
function intoClosedPipe(args: string): { status: string; stderr: string } {
  const run = spawnSync('bash', ['-c', `"${TSX}" ${args} 2>"$ERR_FILE" | head -0; echo "\${PIPESTATUS[0]}"; cat "$ERR_FILE"`], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, ERR_FILE: join(tmpdir(), `closed-pipe-${process.pid}-${Math.random().toString(36).slice(2)}.err`) },
  });
  const [status = '', ...stderr] = run.stdout.split('\n');
  return { status, stderr: stderr.join('\n').trim() };
}

describe('a reader that closes the pipe early (| head)', () => {
  it.each([
    ['cost', 'scripts/cost.ts'],
    ['preflight', 'scripts/preflight.ts --env dev --base HEAD'],
    ['diff', 'scripts/diff.ts --base HEAD --env dev --format text'],
    ['bench', 'scripts/bench.ts --runs 1'],
    ['proof', 'scripts/policyProof.ts'],
  ])('%s exits 0 without a stack trace', (_tool, args) => {
    expect(intoClosedPipe(args)).toEqual({ status: '0', stderr: '' });
  }, 180_000);
});

import type { PreflightProblem } from './preflightProblem';

export function problemLine(environment: string, problem: PreflightProblem): string {
  return `preflight ${environment}: ${problem.subject}: ${problem.field}: ${problem.wrong}; ${problem.todo}`;
}

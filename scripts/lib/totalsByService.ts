import { COST_SERVICES, type CostLine, type CostService } from './cost';

/** Total per service, in COST_SERVICES order. */
export function totalsByService(lines: readonly CostLine[]): { service: CostService; usd: number }[] {
  return COST_SERVICES.map((service) => ({ service, usd: lines.filter((line) => line.service === service).reduce((sum, line) => sum + line.usd, 0) })).filter((entry) => entry.usd > 0);
}

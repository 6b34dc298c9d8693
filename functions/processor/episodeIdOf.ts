/** Deterministic id of an episode: the same episode gets the same id on every replay or redelivery. */
export function episodeIdOf(assetId: string, startedAt: number): string {
  return `${assetId}:${startedAt}`;
}

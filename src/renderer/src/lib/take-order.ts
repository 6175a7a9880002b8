/** How the take list is ordered and filtered; pure, so it is tested in plain Node. */
import type { TakeInfo } from '../../../shared/studio/studio-api.ts';

/** Newest run first, best take first within a run. */
export function orderTakes(takes: readonly TakeInfo[]): TakeInfo[] {
  const jobStart = new Map<string, string>();
  for (const take of takes) {
    const seen = jobStart.get(take.jobId);
    if (seen === undefined || take.createdAt < seen) jobStart.set(take.jobId, take.createdAt);
  }
  return [...takes].sort((a, b) => {
    const byJob = (jobStart.get(b.jobId) ?? '').localeCompare(jobStart.get(a.jobId) ?? '');
    if (byJob !== 0) return byJob;
    if (a.jobId !== b.jobId) return a.jobId.localeCompare(b.jobId);
    return a.rank - b.rank || a.seed - b.seed;
  });
}

/** Case-insensitive match on the prompt, negative prompt, seed or id; every word must match. */
export function matchesFilter(take: TakeInfo, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = `${take.params.prompt} ${take.params.negativePrompt} ${take.seed} ${take.id}`.toLowerCase();
  return words.every((w) => haystack.includes(w));
}

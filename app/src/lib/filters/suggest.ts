import type { TraceSummary } from '$shared/traces';
import type { Suggestions } from './filter-kinds';

/** Values offered while typing a filter: those seen on these traces (until the API has facets). */
export function suggestionsFrom(rows: TraceSummary[], evalNames: string[] = []): Suggestions {
  const seen = (pick: (t: TraceSummary) => (string | null)[]) => [...new Set(rows.flatMap(pick).filter((v): v is string => !!v))].sort();
  return {
    evals: [...new Set(['faithfulness', 'relevance', ...evalNames, ...rows.flatMap((t) => t.scores.map((s) => s.name))])].sort(),
    models: seen((t) => [t.model, ...t.models]),
    services: seen((t) => [t.service]),
    environments: seen((t) => [t.environment]),
    tags: seen((t) => t.tags),
    prompts: seen((t) => [t.promptVersion]),
  };
}

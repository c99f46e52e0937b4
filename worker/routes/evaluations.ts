import { storeEvaluations } from '../data/signals';
import { EvaluationItem } from '../schemas/signals';
import { signalEndpoint } from '../signals/endpoint';
import { evaluationRow } from '../signals/rows';

/** `POST /api/v1/evaluations`: late evaluation results, e.g. from an LLM-as-judge. */
const routes = signalEndpoint({
  schema: EvaluationItem,
  table: 'evaluations',
  toRow: evaluationRow,
  store: storeEvaluations,
  redact: (e, r) => (e.explanation ? { ...e, explanation: r.text(e.explanation).text } : e),
});

export default routes;
export type EvaluationRoutes = typeof routes;

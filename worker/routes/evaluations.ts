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
  redact: (e, r) => ({
    ...e,
    label: e.label === undefined ? undefined : r.text(e.label).text,
    explanation: e.explanation === undefined ? undefined : r.text(e.explanation).text,
    evaluatorVersion: e.evaluatorVersion === undefined ? undefined : r.text(e.evaluatorVersion).text,
  }),
});

export default routes;
export type EvaluationRoutes = typeof routes;

import { z } from 'zod';
import type { ConfusionMatrix, BinaryMetrics } from '../insights/stats/confusion';
import type { ProportionInterval } from '../insights/stats/wilson';
import type { ThresholdSweep } from '../insights/stats/rank';

/** Insights: query and response shapes of `/api/v1/insights`. Client-safe (the stats types are pure). */

export const CalibrationQuery = z.object({
  /** The evaluation `name` to calibrate. */
  evaluator: z.string().min(1).max(128),
  evaluatorVersion: z.string().max(128).optional(),
  /** The key of the label field holding the human verdict. */
  field: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a field key is lowercase letters, digits and _ (starting with a letter)'),
  /** Only the annotations of this queue; otherwise every annotation in the project. */
  queueId: z.string().min(1).max(64).optional(),
  /** The human (and evaluator label) value meaning failure; defaults to `true` for boolean fields, else `fail`. */
  positive: z.string().min(1).max(256).optional(),
  /** `below`: a score under the threshold predicts failure (faithfulness-like); `atOrAbove` for toxicity-like. */
  direction: z.enum(['below', 'atOrAbove']).default('below'),
});
export type CalibrationQuery = z.infer<typeof CalibrationQuery>;

export interface AgreementSummary {
  n: number;
  confusion: ConfusionMatrix;
  kappa: { kappa: number | null; se: number | null; ci95: [number, number] | null };
}

export interface CalibrationResponse extends AgreementSummary {
  evaluator: string;
  field: string;
  positive: string;
  direction: 'below' | 'atOrAbove';
  tooFew: boolean;
  note: string | null;
  /** Where the headline confusion comes from: the best-F1 score threshold, or the evaluator's labels. */
  basis: 'score' | 'label' | 'none';
  threshold: number | null;
  metrics: BinaryMetrics;
  accuracyCi: ProportionInterval | null;
  scored: { n: number; spearman: number | null; sweep: ThresholdSweep } | null;
  labelAgreement: AgreementSummary | null;
}

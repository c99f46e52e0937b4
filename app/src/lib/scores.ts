/** How a score or label reads at a glance. Pure; shared by the trace list and the trace view. */

export type Tone = 'low' | 'mid' | 'high' | 'neutral';

const GOOD = /^(pass(ed)?|yes|true|correct|good|grounded|faithful|relevant|clean|safe|positive|ok|helpful|resolved)$/i;
const BAD = /^(fail(ed)?|no|false|incorrect|wrong|bad|hallucinat\w*|unfaithful|irrelevant|toxic|unsafe|negative|harmful|unresolved|off[-_ ]?topic)$/i;

/**
 * A known label decides (`toxic` is bad whatever its score); otherwise scores on a 0..1 scale read as
 * higher-is-better: below 0.5 low, 0.8 and up high. Other scales are not guessed at.
 */
export function scoreTone(score: number | null | undefined, label?: string | null): Tone {
  if (label && BAD.test(label.trim())) return 'low';
  if (label && GOOD.test(label.trim())) return 'high';
  if (score == null || !Number.isFinite(score) || score < 0 || score > 1) return 'neutral';
  if (score < 0.5) return 'low';
  if (score >= 0.8) return 'high';
  return 'mid';
}

/** 0.42 · 1 · 4.5 · 87 */
export function formatScore(score: number | null | undefined): string {
  if (score == null || !Number.isFinite(score)) return '–';
  if (Number.isInteger(score)) return String(score);
  if (Math.abs(score) <= 1) return score.toFixed(2);
  return String(Number(score.toFixed(2)));
}

/** The glyph that carries the tone for people who do not see the colour. */
export const TONE_GLYPH: Record<Tone, string> = { low: '✕', mid: '~', high: '✓', neutral: '' };

import type { LlmView, Usage } from './types';

/**
 * What one convention (GenAI, legacy GenAI, OpenInference, Vercel AI SDK) says about a span.
 * map.ts merges the parts field by field, earlier conventions winning.
 */
export type ViewPart = Partial<Omit<LlmView, 'usage'>> & { usage?: Usage };

import type { Attributes, NormalizedSpan } from '../../../worker/otlp/types';

/** A stored span with the given attributes; tests of the mapping only care about attributes and events. */
export function spanWith(attributes: Record<string, unknown>, extra: Partial<NormalizedSpan> = {}): NormalizedSpan {
  return {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    parentSpanId: null,
    name: 'test',
    kind: 'client',
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000001000000000',
    startMs: 1_700_000_000_000,
    endMs: 1_700_000_001_000,
    status: { code: 'unset' },
    attributes: attributes as Attributes,
    events: [],
    links: [],
    resource: {},
    scope: { name: 'test' },
    ...extra,
  };
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeProtobuf, OtlpDecodeError } from '../../../worker/otlp/decode';
import { screenProtobuf } from '../../../worker/otlp/screen';
import { check, runs } from '../property/arbitraries';
import { PROTOBUF_DEFECTS, protobufRequest, protobufSpan, randomHex, spanModel, type Defect } from '../property/otlp-model';

/** Defects only a full decode finds (inside attributes or names); screening lets them through. */
const LATE: readonly Defect[] = ['tooDeep', 'badUtf8Name', 'badUtf8Key', 'badUtf8Value'];

function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (err) {
    if (err instanceof OtlpDecodeError) return 'OtlpDecodeError';
    throw err;
  }
}

describe('screenProtobuf (queued ingest answers from it)', () => {
  it('accepts and rejects spans for ids and times exactly as the full decode, with the same messages', () => {
    const entry = fc.record({ model: spanModel, defect: fc.option(fc.constantFrom<Defect>(...PROTOBUF_DEFECTS), { nil: undefined, freq: 2 }) });
    const group = fc.record({ entries: fc.array(entry, { minLength: 1, maxLength: 6 }), badResource: fc.boolean() });
    check(
      fc.property(fc.array(group, { minLength: 1, maxLength: 3 }), (groups) => {
        const bytes = protobufRequest(
          groups.map((g) => ({
            resource: [],
            scopeName: 'fuzz',
            badResource: g.badResource,
            spans: g.entries.map((e) => protobufSpan(e.model, { traceId: randomHex(16), spanId: randomHex(8) }, e.defect)),
          })),
        );
        const full = decodeProtobuf(bytes);
        const screened = screenProtobuf(bytes);
        const late = groups.filter((g) => !g.badResource).flatMap((g) => g.entries).filter((e) => e.defect && LATE.includes(e.defect)).length;
        expect(screened.accepted).toBe(full.spans.length + late);
        expect(screened.accepted + screened.rejected.count).toBe(full.spans.length + full.rejected.count);
        if (late === 0) expect(screened.rejected).toEqual(full.rejected);
      }),
      runs(0x5c4ee7, 200),
    );
  });

  it('throws OtlpDecodeError exactly when the full decode does, for random and truncated bytes', () => {
    const good = protobufRequest([{ resource: [], scopeName: 's', spans: [protobufSpan({ name: 'n', kind: 1, startNs: 5n, durationNs: 1n, attributes: [], events: [], status: { code: 0, message: '' } }, { traceId: randomHex(16), spanId: randomHex(8) })] }]);
    check(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.nat(good.length).map((n) => good.slice(0, n))), (bytes) => {
        const full = outcome(() => decodeProtobuf(bytes));
        const screened = outcome(() => screenProtobuf(bytes));
        expect(screened === 'OtlpDecodeError').toBe(full === 'OtlpDecodeError');
      }),
      runs(0x5c4ee8, 300),
    );
  });
});

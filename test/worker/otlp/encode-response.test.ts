import { fromBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { encodeExportResponse, encodeStatus } from '../../../worker/otlp/encode-response';
import { ExportTraceServiceResponseSchema, RpcStatusSchema } from '../../../worker/otlp/gen/otlp_pb';

describe('encodeExportResponse', () => {
  it('is an empty message when nothing was rejected', () => {
    expect(encodeExportResponse({ count: 0, messages: [] }, 'json')).toBe('{}');
    expect(encodeExportResponse({ count: 0, messages: [] }, 'protobuf')).toHaveLength(0);
  });

  it('reports rejected spans as partial success in both encodings', () => {
    const rejected = { count: 3, messages: ['missing start time', 'end time before start time'] };
    expect(JSON.parse(encodeExportResponse(rejected, 'json'))).toEqual({
      partialSuccess: { rejectedSpans: '3', errorMessage: 'missing start time; end time before start time' },
    });
    const decoded = fromBinary(ExportTraceServiceResponseSchema, encodeExportResponse(rejected, 'protobuf'));
    expect(decoded.partialSuccess?.rejectedSpans).toBe(3n);
    expect(decoded.partialSuccess?.errorMessage).toBe('missing start time; end time before start time');
  });
});

describe('encodeStatus', () => {
  it('encodes a google.rpc.Status', () => {
    expect(JSON.parse(encodeStatus(400, 'invalid JSON', 'json'))).toEqual({ code: 400, message: 'invalid JSON' });
    const decoded = fromBinary(RpcStatusSchema, encodeStatus(429, 'slow down', 'protobuf'));
    expect([decoded.code, decoded.message]).toEqual([429, 'slow down']);
  });
});

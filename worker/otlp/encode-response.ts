import { create, toBinary, toJson, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { ExportTraceServiceResponseSchema, RpcStatusSchema } from './gen/otlp_pb';
import type { RejectedSpans } from './types';

export type OtlpWireFormat = 'protobuf' | 'json';

/**
 * The body of a successful OTLP/HTTP export response. partial_success is set only when spans
 * were rejected, as the spec asks; otherwise the message is empty (`{}` in JSON).
 */
export function encodeExportResponse(rejected: RejectedSpans, format: 'protobuf'): Uint8Array;
export function encodeExportResponse(rejected: RejectedSpans, format: 'json'): string;
export function encodeExportResponse(rejected: RejectedSpans, format: OtlpWireFormat): Uint8Array | string;
export function encodeExportResponse(rejected: RejectedSpans, format: OtlpWireFormat): Uint8Array | string {
  const partialSuccess =
    rejected.count > 0
      ? { rejectedSpans: BigInt(rejected.count), errorMessage: rejected.messages.join('; ') }
      : undefined;
  return encode(ExportTraceServiceResponseSchema, create(ExportTraceServiceResponseSchema, { partialSuccess }), format);
}

/** A google.rpc.Status body for an OTLP/HTTP error response (4xx/5xx), in the request's encoding. */
export function encodeStatus(code: number, message: string, format: 'protobuf'): Uint8Array;
export function encodeStatus(code: number, message: string, format: 'json'): string;
export function encodeStatus(code: number, message: string, format: OtlpWireFormat): Uint8Array | string;
export function encodeStatus(code: number, message: string, format: OtlpWireFormat): Uint8Array | string {
  return encode(RpcStatusSchema, create(RpcStatusSchema, { code, message }), format);
}

function encode<D extends DescMessage>(
  schema: D,
  message: MessageShape<D>,
  format: OtlpWireFormat,
): Uint8Array | string {
  return format === 'protobuf' ? toBinary(schema, message) : JSON.stringify(toJson(schema, message));
}

import { fromJson, toBinary } from '@bufbuild/protobuf';
import { benchBatch } from '../../worker/cli/synth';
import { compileRedaction } from '../../worker/ingest/redact';
import { decodeProtobuf } from '../../worker/otlp/decode';
import { ExportTraceServiceRequestSchema } from '../../worker/otlp/gen/otlp_pb';
import { hexIdsToBase64 } from '../../worker/otlp/json-ids';
import { RedactionConfig } from '../../worker/schemas/projects';

/**
 * CPU per span of redaction at ingest on the benchmark batch (issue #14's 100-span protobuf batch),
 * in this Node (the same V8 as workerd): `tsx test/bench/redact-span.ts`. Prints decode, redact and
 * JSON.parse of the same spans, per span, as the median of several rounds.
 */
function toProtobuf(json: any): Uint8Array {
  for (const rs of json.resourceSpans) for (const ss of rs.scopeSpans) ss.spans = ss.spans.map(hexIdsToBase64);
  return toBinary(ExportTraceServiceRequestSchema, fromJson(ExportTraceServiceRequestSchema, json));
}

const batches = Array.from({ length: 20 }, (_, i) => benchBatch(1000 + i));
const jsonTexts = batches.map((b) => JSON.stringify(b));
const protos = batches.map((b) => toProtobuf(structuredClone(b)));
const decoded = protos.map((p) => decodeProtobuf(p).spans);
const spanCount = decoded.reduce((n, s) => n + s.length, 0);

const configs: Record<string, RedactionConfig> = {
  defaults: RedactionConfig.parse({}),
  'all detectors': RedactionConfig.parse({ detectors: { email: true, phone: true } }),
  'all + 2 custom': RedactionConfig.parse({
    detectors: { email: true, phone: true },
    customPatterns: [
      { name: 'employee', pattern: 'EMP-[0-9]{6}' },
      { name: 'ticket', pattern: 'ticket #[0-9]+', ignoreCase: true },
    ],
  }),
};

function cpuMicros(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const d = process.cpuUsage(start);
  return d.user + d.system;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const ROUNDS = 15;
const perSpan = (label: string, fn: () => void) => {
  for (let i = 0; i < 3; i++) fn();
  const us = median(Array.from({ length: ROUNDS }, () => cpuMicros(fn))) / spanCount;
  console.log(`${label.padEnd(34)} ${us.toFixed(2).padStart(8)} µs/span`);
  return us;
};

console.log(`${spanCount} spans in ${batches.length} batches; median of ${ROUNDS} rounds`);
perSpan('JSON.parse (OTLP/JSON text)', () => jsonTexts.forEach((t) => JSON.parse(t)));
perSpan('decodeProtobuf', () => protos.forEach((p) => decodeProtobuf(p)));
for (const [name, config] of Object.entries(configs)) {
  const r = compileRedaction(config);
  perSpan(`redact: ${name}`, () => decoded.forEach((spans) => spans.forEach((s) => r.span(s))));
  perSpan(`decode + redact: ${name}`, () => protos.forEach((p) => decodeProtobuf(p).spans.forEach((s) => r.span(s))));
}

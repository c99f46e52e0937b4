import { DatabaseSync } from 'node:sqlite';
import { fromJson, toBinary } from '@bufbuild/protobuf';
import { startLocalServer } from '../../worker/cli/local-server';
import { benchBatch } from '../../worker/cli/synth';
import { ExportTraceServiceRequestSchema } from '../../worker/otlp/gen/otlp_pb';
import { hexIdsToBase64 } from '../../worker/otlp/json-ids';
import { d1File } from './seed-traces';
function toProtobuf(json: any) { for (const rs of json.resourceSpans) for (const ss of rs.scopeSpans) ss.spans = ss.spans.map(hexIdsToBase64); return toBinary(ExportTraceServiceRequestSchema, fromJson(ExportTraceServiceRequestSchema, json)); }
const server = await startLocalServer(console.log);
try {
  const N = 100;
  for (let i = 0; i < N; i += 4) await Promise.all([0,1,2,3].map((k) => fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${server.cfg.demoApiKey}`, 'content-type': 'application/x-protobuf' }, body: toProtobuf(benchBatch(7000 + i + k)) }).then(r => r.status === 200 || console.log(r.status))));
  const db = new DatabaseSync(d1File(server.cfg.stateDir));
  const traces = (db.prepare('select count(*) n from traces').get() as any).n;
  const rows = db.prepare(`select name, sum(pgsize) bytes, sum(payload) payload from dbstat group by name order by bytes desc`).all() as any[];
  for (const r of rows.slice(0, 30)) console.log(r.name.padEnd(40), (r.bytes / traces).toFixed(0), (r.payload / traces).toFixed(0));
  console.log('traces', traces);
} finally { await server.stop(); }

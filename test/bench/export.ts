import { mulberry32 as rng } from '../../worker/cli/synth';

/**
 * Issue #6's export benchmark, against a running server: seeds a 10,000-record and a 100,000-record
 * dataset (≈ 2 KB per record) through the import API, then exports each as JSONL through the API
 * (streamed) and as an R2 export job. Reports records/s and the memory proxy: the largest chunk the
 * client received and the largest page the Worker held (measured by the job). Memory should stay
 * flat from 10k to 100k; the goal is ≥ 20,000 records/s.
 *
 * Needs a key that may create datasets (admin scope).
 */

const IMPORT_ROWS_PER_REQUEST = 4000;


const WORDS = ['refund', 'order', 'delivery', 'invoice', 'account', 'password', 'plan', 'upgrade', 'flight', 'seat', 'policy', 'within', 'days', 'please', 'customer', 'support'];

/** One JSONL line of about 2 KB: a question with context, an answer, a reference answer, metadata. */
function recordLine(r: () => number, i: number): string {
  const words = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
  return JSON.stringify({
    input: `Ticket #${i}: ${words(160)}`,
    output: words(70),
    expectedOutput: words(30),
    metadata: { model: 'gpt-4o-mini', promptVersion: `v${1 + (i % 4)}`, scores: { faithfulness: Math.round(r() * 100) / 100 } },
  });
}

type Api = (method: string, path: string, body?: BodyInit, type?: string) => Promise<any>;

function client(url: string, key: string): Api {
  return async (method, path, body, type = 'application/json') => {
    const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${key}`, origin: url, 'content-type': type }, body });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  };
}

async function seedDataset(api: Api, size: number): Promise<{ id: string; bytes: number }> {
  const dataset = await api('POST', '/api/v1/datasets', JSON.stringify({ name: `export bench ${size} ${Date.now()}` }));
  const r = rng(size);
  let bytes = 0;
  for (let at = 0; at < size; at += IMPORT_ROWS_PER_REQUEST) {
    const lines = Array.from({ length: Math.min(IMPORT_ROWS_PER_REQUEST, size - at) }, (_, k) => recordLine(r, at + k)).join('\n');
    bytes += lines.length;
    const res = await api('POST', `/api/v1/datasets/${dataset.id}/import`, lines, 'application/x-ndjson');
    if (res.rejected) throw new Error(`import rejected ${res.rejected} rows: ${JSON.stringify(res.errors.slice(0, 3))}`);
    process.stdout.write(`\rseeded ${Math.min(size, at + IMPORT_ROWS_PER_REQUEST).toLocaleString()} / ${size.toLocaleString()} records   `);
  }
  process.stdout.write('\n');
  return { id: dataset.id, bytes };
}

interface StreamResult {
  records: number;
  bytes: number;
  seconds: number;
  maxChunk: number;
}

async function streamExport(url: string, key: string, id: string): Promise<StreamResult> {
  const t0 = performance.now();
  const res = await fetch(`${url}/api/v1/datasets/${id}/export?format=jsonl`, { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok || !res.body) throw new Error(`export: ${res.status} ${await res.text()}`);
  let records = 0;
  let bytes = 0;
  let maxChunk = 0;
  for await (const chunk of res.body) {
    bytes += chunk.byteLength;
    maxChunk = Math.max(maxChunk, chunk.byteLength);
    for (let i = 0; i < chunk.byteLength; i++) if (chunk[i] === 10) records++;
  }
  return { records, bytes, seconds: (performance.now() - t0) / 1000, maxChunk };
}

async function jobExport(api: Api, id: string): Promise<{ seconds: number; peakChunkBytes: number; recordsWritten: number }> {
  const t0 = performance.now();
  let job = await api('POST', `/api/v1/datasets/${id}/exports`, JSON.stringify({ format: 'jsonl' }));
  while (job.status === 'running') {
    await new Promise((r) => setTimeout(r, 200));
    job = await api('GET', `/api/v1/datasets/${id}/exports/${job.id}`);
  }
  if (job.status !== 'done') throw new Error(`export job ${job.status}: ${job.error}`);
  return { seconds: (performance.now() - t0) / 1000, peakChunkBytes: job.peakChunkBytes, recordsWritten: job.recordsWritten };
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;

export async function exportBench(url: string, key: string, sizes = [10_000, 100_000]): Promise<void> {
  const api = client(url, key);
  const rows: string[] = [];
  for (const size of sizes) {
    const t0 = performance.now();
    const { id, bytes } = await seedDataset(api, size);
    console.log(`${size.toLocaleString()} records (${mb(bytes)}, ${(bytes / size / 1024).toFixed(2)} KB each) imported in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const s = await streamExport(url, key, id);
    if (s.records !== size) throw new Error(`streamed ${s.records} records, expected ${size}`);
    const j = await jobExport(api, id);
    if (j.recordsWritten !== size) throw new Error(`job wrote ${j.recordsWritten} records, expected ${size}`);
    rows.push(
      [
        size.toLocaleString().padStart(9),
        `${Math.round(s.records / s.seconds).toLocaleString()} rec/s`.padStart(14),
        `${(s.bytes / 1024 / 1024 / s.seconds).toFixed(1)} MB/s`.padStart(11),
        mb(s.maxChunk).padStart(10),
        `${Math.round(size / j.seconds).toLocaleString()} rec/s`.padStart(14),
        mb(j.peakChunkBytes).padStart(10),
      ].join(' '),
    );
  }
  console.log('\n== dataset export (issue #6): JSONL through the API, sequential ==');
  console.log(['  records', 'stream speed'.padStart(14), 'throughput'.padStart(11), 'max chunk'.padStart(10), 'R2 job speed'.padStart(14), 'peak page'.padStart(10)].join(' '));
  for (const r of rows) console.log(r);
  console.log('max chunk: the largest piece the client received; peak page: the largest page the Worker held (job-measured). Goal ≥ 20,000 rec/s, memory flat.');
}

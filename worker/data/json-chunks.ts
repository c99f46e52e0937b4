/** Bytes per JSON parameter: D1 refuses a string over 2 MB (SQLITE_TOOBIG), so rows go in chunks. */
const MAX_JSON_PARAM_BYTES = 512 * 1024;

/**
 * Splits rows into JSON arrays of at most ~512 KB each (a single larger row gets its own chunk),
 * for statements that take their rows as one `json_each` parameter.
 */
export function jsonChunks(rows: readonly unknown[], maxBytes = MAX_JSON_PARAM_BYTES): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const row of rows) {
    const json = JSON.stringify(row);
    if (current.length && size + json.length + 1 > maxBytes) {
      chunks.push(`[${current.join(',')}]`);
      current = [];
      size = 2;
    }
    current.push(json);
    size += json.length + 1;
  }
  if (current.length) chunks.push(`[${current.join(',')}]`);
  return chunks;
}

/** Bytes as B, KB, MB or GB (1024-based), for the operations page. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** A bucket start as local HH:MM (the chart's axis); the numbers table keeps the ISO time. */
export function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** A per-bucket count as a per-minute rate, one decimal when below 10. */
export function perMinute(count: number, bucketMinutes: number): number {
  const r = count / bucketMinutes;
  return r < 10 ? Math.round(r * 10) / 10 : Math.round(r);
}

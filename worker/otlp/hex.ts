const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Lowercase hex of `bytes`, the form OTLP/JSON and every trace UI use for ids. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Bytes of an even-length hex string (either case), or null when it is not one. */
export function hexToBytes(hex: string): Uint8Array | null {
  if (!HEX.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** True when every byte is zero; OTLP treats an all-zero trace or span id as invalid. */
export function isAllZero(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0);
}

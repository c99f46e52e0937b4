import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

describe('GET /healthz', () => {
  it('answers 200', async () => {
    const res = await SELF.fetch('http://x/healthz');
    expect(res.status).toBe(200);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { log } from '../../../worker/ops/log';

afterEach(() => vi.restoreAllMocks());

function capture(method: 'log' | 'warn' | 'error'): string[] {
  const lines: string[] = [];
  vi.spyOn(console, method).mockImplementation((line: unknown) => void lines.push(String(line)));
  return lines;
}

describe('log', () => {
  it('prints one JSON line with level and message first, to the console method of its level', () => {
    const [info, warn, error] = [capture('log'), capture('warn'), capture('error')];
    log.info('hello', { n: 1 });
    log.warn('careful');
    log.error('broken', { queue: 'q' });
    expect([info, warn, error].map((l) => l.length)).toEqual([1, 1, 1]);
    expect(info[0]).toBe('{"level":"info","msg":"hello","n":1}');
    expect(JSON.parse(warn[0])).toEqual({ level: 'warn', msg: 'careful' });
    expect(JSON.parse(error[0])).toEqual({ level: 'error', msg: 'broken', queue: 'q' });
  });

  it('redacts fields named like secrets, whoever passes them, and keeps look-alikes such as token counts', () => {
    const lines = capture('log');
    log.info('x', { apiKey: 'sk-1', authorization: 'Bearer sk-2', sessionToken: 't', password: 'p', cookie: 'c', inputTokens: 120, keyId: 'k_1' });
    expect(JSON.parse(lines[0])).toEqual({
      level: 'info',
      msg: 'x',
      apiKey: '[redacted]',
      authorization: '[redacted]',
      sessionToken: '[redacted]',
      password: '[redacted]',
      cookie: '[redacted]',
      inputTokens: 120,
      keyId: 'k_1',
    });
  });

  it('writes an Error as its message, with the stack only at error level', () => {
    const [warn, error] = [capture('warn'), capture('error')];
    log.warn('w', { error: new Error('boom') });
    log.error('e', { error: new Error('bang') });
    expect(JSON.parse(warn[0]).error).toBe('boom');
    const e = JSON.parse(error[0]).error;
    expect(e.message).toBe('bang');
    expect(e.stack).toContain('bang');
  });
});

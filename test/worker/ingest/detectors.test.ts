import { describe, expect, it } from 'vitest';
import { cardNetworkMatches, isCardNumber, luhnValid } from '../../../worker/ingest/detectors';
import { compileRedaction } from '../../../worker/ingest/redact';
import { RedactionConfig, type RedactionDetector } from '../../../worker/schemas/projects';

/** Redacts `text` with only `detector` on. */
function only(detector: RedactionDetector) {
  const detectors = { secrets: false, creditCard: false, email: false, phone: false, [detector]: true };
  const r = compileRedaction(RedactionConfig.parse({ detectors }));
  return (text: string) => r.text(text).text;
}

describe('luhnValid', () => {
  it('agrees with the published worked example (79927398713)', () => {
    expect(luhnValid('79927398713')).toBe(true);
    for (const last of '012456789') expect(luhnValid(`7992739871${last}`)).toBe(false);
  });
});

// Networks' published test numbers (Stripe, PayPal, Adyen test card lists): all pass Luhn.
const VALID_CARDS = [
  '4242424242424242', // Visa
  '4012888888881881', // Visa
  '4000056655665556', // Visa debit
  '4222222222222', // Visa, 13 digits
  '5555555555554444', // Mastercard
  '5105105105105100', // Mastercard
  '2223003122003222', // Mastercard 2-series
  '378282246310005', // American Express
  '371449635398431', // American Express
  '6011111111111117', // Discover
  '6011000990139424', // Discover
  '3530111333300000', // JCB
  '3566002020360505', // JCB
  '30569309025904', // Diners Club, 14 digits
  '38520000023237', // Diners Club
  '6200000000000005', // UnionPay
];

describe('isCardNumber', () => {
  it('accepts the networks’ test numbers, plain and grouped', () => {
    for (const n of VALID_CARDS) {
      expect(isCardNumber(n), n).toBe(true);
      expect(isCardNumber(n.replace(/(\d{4})(?=\d)/g, '$1 ')), `${n} grouped`).toBe(true);
    }
  });

  it('rejects the same numbers with a wrong check digit', () => {
    for (const n of VALID_CARDS) {
      const wrong = n.slice(0, -1) + String((Number(n.at(-1)) + 1) % 10);
      expect(isCardNumber(wrong), wrong).toBe(false);
    }
  });

  it('rejects Luhn-valid numbers outside every card network: timestamps, ids', () => {
    // Each of these passes Luhn; none starts like a card of its length.
    const luhnOnly = ['1712345678907', '0000000000000000', '9999999999999995', '1234567812345670', '8000000000000003', '1748854800007023008', '6611768653978341747'];
    for (const n of luhnOnly) {
      expect(luhnValid(n), n).toBe(true);
      expect(isCardNumber(n), n).toBe(false);
    }
    expect(cardNetworkMatches('4111111111111')).toBe(true);
    expect(cardNetworkMatches('41111111111111')).toBe(false); // Visa has no 14-digit numbers
    expect(cardNetworkMatches('34343434343434')).toBe(false); // Amex is 15 digits
  });
});

describe('credit card detector', () => {
  const redact = only('creditCard');

  it('replaces Luhn-valid card numbers in text, grouped or not', () => {
    expect(redact('card 4242 4242 4242 4242, exp 12/29')).toBe('card [REDACTED:credit_card], exp 12/29');
    expect(redact('amex 3782-822463-10005.')).toBe('amex [REDACTED:credit_card].');
    expect(redact('{"pan":"5555555555554444"}')).toBe('{"pan":"[REDACTED:credit_card]"}');
    expect(redact('cards: 4012888888881881 and 6011111111111117')).toBe('cards: [REDACTED:credit_card] and [REDACTED:credit_card]');
  });

  it('leaves Luhn-invalid numbers, timestamps, ids and longer digit runs alone', () => {
    for (const text of [
      'card 4242 4242 4242 4241',
      'at 1717171717174 ms', // Luhn-valid millisecond timestamp
      'at 1748854800007023008 ns', // Luhn-valid nanosecond timestamp
      'order id 12345678901234567890123',
      'trace 4bf92f3577b34da6a3ce929d0e0e4736',
      'version 4.2.4242424242424242',
      'a4242424242424242',
      'phone +4242424242424242',
    ]) {
      expect(redact(text), text).toBe(text);
    }
  });
});

describe('email detector', () => {
  const redact = only('email');

  it('replaces addresses inside text, with subdomains, tags and dots', () => {
    expect(redact('Contact bob.smith+billing@mail.example.co.uk today.')).toBe('Contact [REDACTED:email] today.');
    expect(redact('<alice_o@example.com>')).toBe('<[REDACTED:email]>');
    expect(redact('a@b.io, c@d.dev')).toBe('[REDACTED:email], [REDACTED:email]');
    expect(redact('User: "x.y@corp-mail.com" wrote')).toBe('User: "[REDACTED:email]" wrote');
  });

  it('leaves things that only look like addresses alone', () => {
    for (const text of ['icon@2x.png', 'see @mention here', 'npm i @scope/pkg@1.2.3', 'a@b', 'user@localhost', 'price: 3 @ $4.00']) {
      expect(redact(text), text).toBe(text);
    }
  });
});

describe('phone detector', () => {
  const redact = only('phone');

  it('replaces international and punctuated national numbers', () => {
    for (const phone of ['+44 20 7946 0958', '+1 (415) 555-2671', '+4915112345678', '+33 1 23 45 67 89', '(415) 555-2671', '415-555-2671', '415.555.2671', '020 7946 0958', '06 12 34 56 78', '+81-3-1234-5678']) {
      expect(redact(`call ${phone} now`), phone).toBe('call [REDACTED:phone] now');
    }
  });

  it('leaves plain numbers, timestamps, dates, versions and addresses alone', () => {
    for (const text of [
      'id 4155552671',
      'ts 1717171717171',
      'at 1748854800007023000',
      'on 2024-01-15 at 12:30:45',
      'on 01-02-2024',
      'host 192.168.100.100',
      'v1.2.3',
      'order ORD-415-555-2671',
      'path /v1/415-555-2671',
      'total 1 234 567',
      'score 0.5',
    ]) {
      expect(redact(text), text).toBe(text);
    }
  });
});

describe('secrets detector', () => {
  const redact = only('secrets');
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

  it('replaces vendor API keys', () => {
    for (const key of [
      'sk-proj-4fJx9QmT2bWkLz7RvN8sYpC3hGdE1aUo',
      'sk-ant-api03-Xy7Kq2mPz9LwRt4Vb8NcJh3Gf6Ds1AeU-0oIi5Qq',
      'sk-9sQ2mTfKx7LpVb3RzW8nYcJd4HgE6aUo1iPq0tXr5vN2kLm7',
      'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
      'rk_test_51H8zYqLyjWDarjtT1zdp7dc',
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'AKIAIOSFODNN7EXAMPLE',
      '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',
      'github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEFGHIJ',
      'glpat-xYz12AbC34dEf56GhI78jK',
      'xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
      'AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe',
      'hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIj',
      jwt,
    ]) {
      expect(redact(`the key is ${key}.`), key).toBe('the key is [REDACTED:secret].');
    }
  });

  it('keeps the name of key=value and header secrets, and the user and host of URL credentials', () => {
    expect(redact('Authorization: Bearer 8f3kLm2QxZ9vT1wYbN4c')).toBe('Authorization: Bearer [REDACTED:secret]');
    expect(redact(`authorization: bearer ${jwt}`)).toBe('authorization: bearer [REDACTED:secret]');
    expect(redact('Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l')).toBe('Authorization: Basic [REDACTED:secret]');
    expect(redact('login password=hunter2&next=/home')).toBe('login password=[REDACTED:secret]&next=/home');
    expect(redact('DB_PASSWORD="s3cr3t!" PORT=5432')).toBe('DB_PASSWORD="[REDACTED:secret]" PORT=5432');
    expect(redact('api_key: 9f8e7d6c5b4a')).toBe('api_key: [REDACTED:secret]');
    expect(redact('client_secret=abc123def')).toBe('client_secret=[REDACTED:secret]');
    expect(redact('postgres://admin:pa55w0rd@db.internal:5432/app')).toBe('postgres://admin:[REDACTED:secret]@db.internal:5432/app');
  });

  it('replaces PEM private keys, including one cut off before its END line', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx4Zb\nq8Tn2+Ab/c==\n-----END RSA PRIVATE KEY-----';
    expect(redact(`key:\n${pem}\nbye`)).toBe('key:\n[REDACTED:secret]\nbye');
    expect(redact('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA')).toBe('[REDACTED:secret]');
    expect(redact('-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----')).toContain('MIIBIjANBg');
  });

  it('leaves prose, slugs and ordinary identifiers alone', () => {
    for (const text of [
      'Bearer tokens are short-lived.',
      'Use basic authentication here',
      'Password: must be 8 characters',
      'reset your password: click the link',
      'sk-learn-tutorial-for-beginners-2024',
      'task-manager-service-deployment',
      'AKIA is the prefix of AWS access key ids',
      'call_d12a8c75aef757536cdc9e3f',
      'msg_0140e88596ac40204d05c03d5b',
      'https://example.com/path?q=1',
      'max_tokens: 1024',
      'gen_ai.usage.input_tokens',
    ]) {
      expect(redact(text), text).toBe(text);
    }
  });
});

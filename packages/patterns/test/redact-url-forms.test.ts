/** Every URL form a person may paste: the secret never survives redaction, and the rest stays readable. */
import { describe, expect, it } from 'vitest';
import { describeUrlProblem, redactError, redactText, redactUrl } from '../src/redact.ts';

const SECRET = 'Canary7q';

describe('redactUrl over every URL form', () => {
  it.each([
    ['redis://app:s3cret@db.internal:6379/0', 'redis://app:***@db.internal:6379/0'],
    ['rediss://:p%40ss@h:6380', 'rediss://:***@h:6380'],
    ['postgres://u:pw@h/db and redis://h:1', 'postgres://u:***@h/db and redis://h:1'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    // Unencoded @: the last one ends the credentials, as WHATWG parsing does.
    ['redis://u:abc@def@host:6379', 'redis://u:***@host:6379'],
    // Unencoded space, slash, hash and question mark in the password.
    ['redis://user:pa ss@h:1', 'redis://user:***@h:1'],
    ['redis://user:a/b?c#d@h:1/0', 'redis://user:***@h:1/0'],
    // A userinfo without a colon may be a token.
    ['redis://tok3nvalue@h:1', 'redis://***@h:1'],
    // Credentials in query parameters, any case.
    [
      'postgres://rak@host/db?password=topsecret&sslmode=require',
      'postgres://***@host/db?password=***&sslmode=require',
    ],
    ['postgresql://h/db?PASS=x1&Token=x2&auth=x3&user=me', 'postgresql://h/db?PASS=***&Token=***&auth=***&user=me'],
    ['valkey://:pw@h:1 then valkeys://u:pw2@h:2', 'valkey://:***@h:1 then valkeys://u:***@h:2'],
  ])('%s', (input, expected) => expect(redactUrl(input)).toBe(expected));

  it('hides a canary in every form, also inside longer messages', () => {
    const forms = [
      `redis://u:${SECRET}@h:1`,
      `redis://u:ab@${SECRET}@h:1`,
      `redis://u:${SECRET} x@h:1`,
      `redis://:${SECRET}@127.0.0.1:notaport`,
      `rediss://${SECRET}@h:6380`,
      `postgres://rak@h/db?password=${SECRET}`,
      `postgresql://rak:${SECRET}@h:5432/db`,
      `redis://u:${encodeURIComponent(`${SECRET}@/ `)}@h:1`,
    ];
    for (const form of forms) {
      const message = `Cannot connect to ${form}: ECONNREFUSED\nagain ${form}.`;
      expect(redactUrl(message)).not.toContain(SECRET);
    }
  });
});

describe('redactText and redactError', () => {
  it('hides known secrets, raw and percent-encoded', () => {
    expect(redactText('AUTH failed for hunter22!', ['hunter22'])).toBe('AUTH failed for ***!');
    expect(redactText('x p%40ss%20word y', ['p@ss word'])).toBe('x *** y');
  });

  it('keeps code, drops fields such as Node’s `input`', () => {
    let thrown: unknown;
    try {
      new URL(`redis://:${SECRET}@127.0.0.1:notaport`);
    } catch (error) {
      thrown = error;
    }
    expect(JSON.stringify(thrown)).toContain(SECRET); // what Node itself carries
    const copy = redactError(thrown);
    expect(JSON.stringify(copy) + copy.message + copy.stack).not.toContain(SECRET);
    expect((copy as Error & { code?: string }).code).toBe('ERR_INVALID_URL');
  });
});

describe('describeUrlProblem', () => {
  it('names the malformed part without echoing the input', () => {
    expect(describeUrlProblem('redis://h:1')).toBeUndefined();
    expect(describeUrlProblem(`redis://:${SECRET}@127.0.0.1:notaport`)).toBe('the port is not a number');
    expect(describeUrlProblem(`redis://:${SECRET}@127.0.0.1:99999`)).toBe('the port is above 65535');
    expect(describeUrlProblem(`${SECRET}`)).toBe('it does not start with a scheme such as redis://');
    expect(describeUrlProblem(`redis://:${SECRET}@`)).toBe('the host is missing');
  });
});

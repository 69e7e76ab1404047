/**
 * Password redaction for every message that may carry a connection URL or a credential.
 * The connection factory routes all of its errors through here, and so should any log line that prints a URL.
 */

const URL_WITH_USERINFO = /\b(rediss?|valkeys?|postgres(?:ql)?):\/\/([^:@/\s]*):([^@\s]+)@/gi;

/** `redis://user:secret@host:6379` → `redis://user:***@host:6379`. Leaves URLs without a password alone. */
export function redactUrl(url: string): string {
  return url.replace(URL_WITH_USERINFO, (_m, scheme: string, user: string) => `${scheme}://${user}:***@`);
}

/** Redacts URLs with userinfo and every known secret (passwords from options or the environment) from a text. */
export function redactText(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = redactUrl(text);
  for (const secret of secrets) {
    // Very short secrets would redact ordinary words; they are still hidden inside URLs above.
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

/** A copy of `error` whose message and stack have the secrets redacted; the original cause is not kept. */
export function redactError(error: unknown, secrets: readonly (string | undefined)[] = []): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const copy = new Error(redactText(source.message, secrets));
  copy.name = source.name;
  if (source.stack) copy.stack = redactText(source.stack, secrets);
  const code = (source as { code?: unknown }).code;
  if (code !== undefined) (copy as { code?: unknown }).code = code;
  return copy;
}

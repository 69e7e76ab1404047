/**
 * The one redaction for every message that may carry a connection URL or a credential. The connection factory
 * routes all of its errors through here, and so does every program of the kit that prints or writes a URL.
 *
 * It must hide what a URL parser would take as a password, including URLs that a person typed without encoding:
 * - the credentials end at the LAST `@` before the host, as WHATWG URL parsing does (`redis://u:abc@def@host`
 *   has the password `abc@def`), and a password may hold spaces, `/`, `?` or `#`: so the userinfo of a URL is taken
 *   to run to the last `@` on its line (before the next URL), erring on the side of hiding too much;
 * - credentials in query parameters (`?password=…`, `pass`, `pwd`, `token`, `auth`, `secret`, `key`, any case);
 * - schemes redis, rediss, valkey, valkeys, postgres, postgresql, and any other `scheme://` form;
 * - a URL that does not parse at all is never echoed raw by the parser's callers: `describeUrlProblem` says which
 *   part is malformed instead.
 */

/** Query parameters whose values are secrets. */
const SECRET_PARAMS = /^(password|passwd|pass|pwd|token|auth|secret|key|api[_-]?key|access[_-]?token|sslpassword)$/i;

const SCHEME = /\b[a-z][a-z0-9+.-]*:\/\//gi;

/** Hides the password (or a whole colon-less userinfo) and secret query values of every URL in `text`. */
export function redactUrl(text: string): string {
  const starts = [...text.matchAll(SCHEME)].map((m) => ({ at: m.index, authority: m.index + m[0].length }));
  if (starts.length === 0) return text;
  let out = '';
  let copied = 0;
  starts.forEach(({ at, authority }, i) => {
    if (at < copied) return;
    const lineEnd = text.indexOf('\n', authority);
    const end = Math.min(starts[i + 1]?.at ?? text.length, lineEnd === -1 ? text.length : lineEnd);
    out += text.slice(copied, authority);
    out += redactOne(text.slice(authority, end));
    copied = end;
  });
  return out + text.slice(copied);
}

/** Redacts one URL's text after `scheme://` (to the end of its line or the next URL). */
function redactOne(rest: string): string {
  let afterCredentials = rest;
  let shown = '';
  const lastAt = rest.lastIndexOf('@');
  if (lastAt !== -1) {
    const userinfo = rest.slice(0, lastAt);
    const colon = userinfo.indexOf(':');
    // `user:password@` keeps the user; a userinfo without a colon may itself be a token (`redis://token@host`).
    shown = colon === -1 ? '***@' : `${userinfo.slice(0, colon)}:***@`;
    afterCredentials = rest.slice(lastAt + 1);
  }
  return shown + redactQuery(afterCredentials);
}

function redactQuery(text: string): string {
  return text.replace(/([?&;])([^=&#\s]+)=([^&#\s]*)/g, (whole, sep: string, name: string) =>
    SECRET_PARAMS.test(decodeSafely(name)) ? `${sep}${name}=***` : whole,
  );
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Redacts URLs with credentials and every known secret (passwords from options or the environment) from a text. */
export function redactText(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = redactUrl(text);
  for (const secret of secrets) {
    if (!secret) continue;
    // Very short secrets would redact ordinary words; they are still hidden inside URLs above.
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      if (form.length >= 4) out = out.split(form).join('***');
    }
  }
  return out;
}

/**
 * A copy of `error` whose message and stack have the secrets redacted. Only `name`, `message`, `stack` and `code`
 * are kept: fields such as Node's `input` (the raw URL of an `Invalid URL` TypeError) or a client's options are
 * dropped, and so is the cause.
 */
export function redactError(error: unknown, secrets: readonly (string | undefined)[] = []): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const copy = new Error(redactText(source.message, secrets));
  copy.name = source.name;
  if (source.stack) copy.stack = redactText(source.stack, secrets);
  const code = (source as { code?: unknown }).code;
  if (code !== undefined) (copy as { code?: unknown }).code = code;
  return copy;
}

/**
 * Why a connection URL does not parse, naming the part that is wrong and never echoing the input (it may hold a
 * password). `undefined` when `new URL` accepts it.
 */
export function describeUrlProblem(raw: string): string | undefined {
  try {
    new URL(raw);
    return undefined;
  } catch {
    // Fall through to find the part that is wrong.
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw);
  if (!scheme) return 'it does not start with a scheme such as redis://';
  const rest = raw.slice(scheme[0].length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const port = /:([^:\]]*)$/.exec(hostPort)?.[1];
  if (port !== undefined && port !== '' && !/^\d{1,5}$/.test(port)) return 'the port is not a number';
  if (port !== undefined && Number(port) > 65535) return 'the port is above 65535';
  if (hostPort === '' || hostPort.startsWith(':')) return 'the host is missing';
  if (/[\s<>^`{|}]/.test(hostPort)) return 'the host holds characters a host name cannot have';
  return 'the host or port is malformed';
}

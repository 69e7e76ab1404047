/**
 * `@redis-agent-kit/patterns`: what every pattern and every user of one needs, and nothing of any pattern (each
 * lives at its subpath: `/cache`, `/ratelimit`, `/session`, `/audit`, `/vector`, `/cluster`), so importing the root
 * loads no pattern and no optional peer. It holds:
 * - the connection factory (URL, TLS, cluster, finite retries) and its redacted errors;
 * - the capabilities probe, which every pattern uses to pick a strategy or refuse naming what is missing;
 * - redaction, because a user who logs a URL or an error must hide the password the same way the kit does;
 * - three small helpers the patterns and examples share: LuaScript (EVALSHA with the NOSCRIPT fallback),
 *   withTimeout (a deadline on any promise) and progressLine (progress on a TTY, silence in CI).
 */
export {
  CAPABILITY_LABELS,
  type Capabilities,
  CapabilityMissingError,
  type CapabilityName,
  describeCapabilities,
  parseInfo,
  probeCapabilities,
  type ServerKind,
} from './capabilities.ts';
export {
  closeClient,
  connect,
  type ConnectionOptions,
  createClient,
  describeClient,
  type RedisClient,
  RedisConnectionError,
  redactClientError,
  type TlsFiles,
} from './connection.ts';
export { LuaScript } from './lua-script.ts';
export { type ProgressLine, progressLine } from './progress-line.ts';
export { redactError, redactText, redactUrl } from './redact.ts';
export { withTimeout } from './timeout.ts';

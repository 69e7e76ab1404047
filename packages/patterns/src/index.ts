/**
 * `@redis-agent-kit/patterns`: what every pattern and every user of one needs, and nothing of any pattern (each
 * lives at its subpath: `/cache`, `/ratelimit`, `/session`, `/audit`, `/vector`, `/queue`, `/cluster`), so
 * importing the root loads no pattern and no optional peer. It holds:
 * - the connection factory (URL, TLS, cluster, finite retries), its redacted errors, `connectionTarget`, where
 *   a configuration would connect, without its credentials, and `connectionSettings`, the same with them (never
 *   enumerable) for another client library such as node-redis;
 * - the capabilities probe, which every pattern uses to pick a strategy or refuse naming what is missing;
 * - redaction, because a user who logs a URL or an error must hide the password the same way the kit does (and
 *   describeUrlProblem, to say what is wrong with a URL without echoing it);
 * - small helpers the patterns, the MCP server and the examples share: LuaScript (EVALSHA with the NOSCRIPT
 *   fallback; isKnownScript tells a guard which scripts the kit itself defined), withTimeout (a deadline on any promise), progressLine (progress on a TTY, silence in CI), and
 *   fieldMap/fieldRecord, the one parser of flat `[field, value, …]` replies.
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
  type ConnectionSettings,
  type ConnectionTarget,
  connectionSettings,
  connectionTarget,
  createClient,
  describeClient,
  type RedisClient,
  RedisConnectionError,
  redactClientError,
  type TlsFiles,
  whenReady,
} from './connection.ts';
export { isKnownScript, LuaScript, scriptSha } from './lua-script.ts';
export { type ProgressLine, progressLine } from './progress-line.ts';
export { describeUrlProblem, redactError, redactText, redactUrl } from './redact.ts';
export { fieldMap, fieldRecord } from './replies.ts';
export { withTimeout } from './timeout.ts';

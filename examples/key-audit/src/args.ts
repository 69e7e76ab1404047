/** Command-line options of redis-key-audit, parsed with node:util and checked, with the usage text. */
import { parseArgs } from 'node:util';
import { type AuditOptions, checkAuditOptions, type Severity } from '@redis-agent-kit/patterns/audit';

export const USAGE = `redis-key-audit: a non-blocking key namespace audit (SCAN, never KEYS) of one or more Redis/Valkey instances

usage: redis-key-audit [--url redis://… …] [options]

  --url <url>              instance to audit; repeat for several (default: $REDIS_URL, else redis://127.0.0.1:6379)
  --cluster                use the cluster client (default: detected with HELLO, or REDIS_CLUSTER=true)
  --format json|text       json: one document { "instances": [...] } on stdout (default when stdout is piped);
                           text: a readable summary (default on a terminal)
  --match <pattern>        audit only keys matching this SCAN MATCH pattern (default *)
  --depth <n>              prefix tree depth over name segments (default 3)
  --top <n>                rows per table: prefixes, big keys (default 20)
  --big-key-bytes <n>      big-key threshold in bytes (default 10240)
  --large-collection <n>   elements above which a collection is a finding (default 10000)
  --max-ops <n>            cap on commands per second, to protect production latency (default: no cap)
  --sample <n>             estimate from a sample: size every key in a light pass (exact totals), inspect the keys
                           of at least --big-key-bytes and n others drawn at random, 95% intervals by prefix
  --no-size-pass           with --sample: skip the sizing pass; the n keys come from a random cursor (cheaper on a
                           huge keyspace, but the intervals cannot account for big keys the sample missed)
  --separators <chars>     characters that separate name segments, in order, e.g. ":/" (default: detected)
  --scan-count <n>         SCAN COUNT per call (default 50, at most 10000)
  --memory-samples <n>     MEMORY USAGE … SAMPLES (default 5; 0 = every element)
  --no-scripts             pipeline TYPE/PTTL/MEMORY USAGE per key instead of a read-only Lua script per slice
                           of keys (users whose ACL denies EVAL get this automatically)
  --fail-on <severity>     exit 1 when a finding is at least info|warning|error
  --timeout <ms>           connect timeout and deadline of every command, per instance (default 5000)
  --demo                   first write a small demo keyspace (127 keys under key-audit-demo:, each expiring within
                           an hour; written again, the same keys are replaced), so an empty server has something to
                           audit: the only option that writes
  -h, --help               this text

exit codes: 0 every instance audited (and no finding at --fail-on), 1 a finding at or above --fail-on,
            2 usage error, 3 at least one instance could not be audited (its error is in the output)`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliOptions {
  urls: string[];
  cluster: boolean | undefined;
  format: 'json' | 'text';
  failOn: Severity | undefined;
  timeoutMs: number;
  audit: Omit<AuditOptions, 'onProgress' | 'signal'>;
  /** Write the demo keyspace (demo.ts) before auditing. */
  demo: boolean;
  help: boolean;
}

const SEVERITIES: Severity[] = ['info', 'warning', 'error'];

function integer(name: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv, stdoutIsTty: boolean): CliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  const format = values.format ?? (stdoutIsTty ? 'text' : 'json');
  if (format !== 'json' && format !== 'text') throw new UsageError(`--format must be json or text, got "${format}"`);
  if (values['fail-on'] !== undefined && !SEVERITIES.includes(values['fail-on'] as Severity)) {
    throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}, got "${values['fail-on']}"`);
  }
  const audit: CliOptions['audit'] = {};
  const set = <K extends keyof CliOptions['audit']>(key: K, value: CliOptions['audit'][K] | undefined) => {
    if (value !== undefined) audit[key] = value;
  };
  set('match', values.match);
  set('prefixDepth', integer('depth', values.depth));
  set('top', integer('top', values.top));
  set('bigKeyBytes', integer('big-key-bytes', values['big-key-bytes']));
  set('largeCollectionLength', integer('large-collection', values['large-collection']));
  set('maxOpsPerSecond', integer('max-ops', values['max-ops']));
  set('sampleKeys', integer('sample', values.sample));
  if (values.sample !== undefined) audit.sizePass = !values['no-size-pass'];
  else if (values['no-size-pass']) throw new UsageError('--no-size-pass goes with --sample');
  set('separators', values.separators);
  set('scanCount', integer('scan-count', values['scan-count']));
  set('memorySamples', integer('memory-samples', values['memory-samples'], 0));
  if (values['no-scripts']) audit.useScripts = false;
  try {
    checkAuditOptions(audit);
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
  return {
    urls: values.url?.length ? values.url : [env.REDIS_URL ?? 'redis://127.0.0.1:6379'],
    cluster: values.cluster || /^(1|true|yes)$/i.test(env.REDIS_CLUSTER ?? '') ? true : undefined,
    format,
    failOn: values['fail-on'] as Severity | undefined,
    timeoutMs: integer('timeout', values.timeout) ?? 5000,
    audit,
    demo: values.demo ?? false,
    help: values.help ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      url: { type: 'string', multiple: true },
      cluster: { type: 'boolean' },
      format: { type: 'string' },
      match: { type: 'string' },
      depth: { type: 'string' },
      top: { type: 'string' },
      'big-key-bytes': { type: 'string' },
      'large-collection': { type: 'string' },
      'max-ops': { type: 'string' },
      sample: { type: 'string' },
      'scan-count': { type: 'string' },
      'memory-samples': { type: 'string' },
      'fail-on': { type: 'string' },
      'no-scripts': { type: 'boolean' },
      'no-size-pass': { type: 'boolean' },
      separators: { type: 'string' },
      timeout: { type: 'string' },
      demo: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

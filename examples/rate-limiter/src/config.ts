/** The example's settings, from the environment (REDIS_URL and the other REDIS_* variables go to connect()). */
import { isIP } from 'node:net';
import { RATE_LIMIT_ALGORITHMS, type RateLimitAlgorithm } from '@redis-agent-kit/patterns/ratelimit';

export interface Config {
  port: number;
  /** The address to listen on: loopback unless HOST says otherwise (e.g. 0.0.0.0 in a container). */
  host: string;
  algorithm: RateLimitAlgorithm;
  /** Instances sharing the quota: each one's fallback limiter gets 1/instances of it while Redis is down. */
  instances: number;
  /** Express' `trust proxy`: a hop count or proxy addresses; undefined trusts no X-Forwarded-For. */
  trustProxy: number | string[] | undefined;
}

/** The names Express (proxy-addr) accepts for address ranges besides IPs and CIDR subnets. */
const ADDRESS_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min)
    throw new Error(`${name} must be a whole number >= ${min}, got "${raw}"`);
  return value;
}

function isProxyAddress(entry: string): boolean {
  if (ADDRESS_NAMES.includes(entry)) return true;
  const [address = '', bits, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
  return prefix >= 0 && prefix <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY, checked. Behind a proxy every request comes from the proxy's address, so clients without an API
 * key would share one quota; trusting the proxy makes Express read the client's address from X-Forwarded-For.
 * But a client can send that header itself: only the entries added by proxies you trust are the truth.
 * - a hop count (`1`): the number of proxies in front of the app. Right only if the app cannot be reached
 *   except through exactly that many proxies; a client that reaches it directly picks its own address.
 * - addresses (`10.0.0.1,10.0.0.2`, CIDR subnets like `10.0.0.0/8`, or `loopback`, `linklocal`, `uniquelocal`):
 *   the proxies' own addresses; the safer choice, entries are believed only when a listed proxy added them.
 * `true` (trust every hop) is refused: any client could then choose the address it is limited by.
 */
export function parseTrustProxy(raw: string | undefined): number | string[] | undefined {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return undefined;
  if (value === 'true') {
    throw new Error(
      'TRUST_PROXY=true would believe every X-Forwarded-For entry, so any client could choose the address it is ' +
        'rate-limited by; give the number of proxies in front of the app (e.g. TRUST_PROXY=1) or their addresses ' +
        '(e.g. TRUST_PROXY=10.0.0.1,10.0.0.2 or 10.0.0.0/8)',
    );
  }
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  const wrong = entries.find((entry) => !isProxyAddress(entry));
  if (wrong !== undefined) {
    throw new Error(
      `TRUST_PROXY must be a hop count or comma-separated proxy addresses (IP, CIDR subnet, loopback, linklocal, ` +
        `uniquelocal); "${wrong.slice(0, 64)}" is none of them`,
    );
  }
  return entries;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const algorithm = (env.RATE_LIMIT_ALGORITHM || 'sliding-window-log') as RateLimitAlgorithm;
  if (!RATE_LIMIT_ALGORITHMS.includes(algorithm)) {
    throw new Error(
      `RATE_LIMIT_ALGORITHM must be one of ${RATE_LIMIT_ALGORITHMS.join(', ')}, got "${algorithm.slice(0, 64)}"`,
    );
  }
  return {
    port: wholeNumber(env, 'PORT', 3000, 0),
    host: env.HOST || '127.0.0.1',
    algorithm,
    instances: wholeNumber(env, 'INSTANCES', 1, 1),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
  };
}

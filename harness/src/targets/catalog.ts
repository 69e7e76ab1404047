/**
 * The built-in targets, one line each: adding a server version is adding a line here (then `npm run provision`).
 *
 * - `server`: which binary (`redis-server` or `valkey-server`);
 * - `suite` and `package`: where the local provider gets it: that Debian suite's package, run through the suite's
 *   own dynamic loader and libraries (harness/src/provision/debian.ts), so any suite runs on this machine;
 * - `version`: the upstream version the started server must report, `8.0` for any 8.0.x (sid's lines: sid moves
 *   on) or `8.0.2` for that patch alone (a stale cache is provisioned again, a wrong build is caught rather than
 *   mislabelled);
 * - `image`: the Docker image the docker provider starts instead (none: that provider cannot start the target);
 * - `cluster`: 3 masters and 3 replicas of that server.
 * The matrix, `npm test` and `npm run servers` start every line (`RAK_TARGETS` or `--targets` narrows them).
 */
import type { ServerKind } from '../provision/binaries.ts';

export type DebianSuite = 'bookworm' | 'trixie' | 'sid';

export interface TargetSpec {
  name: string;
  server: ServerKind;
  suite: DebianSuite;
  package: string;
  version: string;
  image?: string;
  cluster?: boolean;
}

// prettier-ignore
export const TARGETS = [
  { name: 'redis-7.0', server: 'redis', suite: 'bookworm', package: 'redis-server', version: '7.0', image: 'redis:7.0-alpine' },
  { name: 'redis-8', server: 'redis', suite: 'sid', package: 'redis-server', version: '8.0',    image: 'redis:8.6-alpine' },
  { name: 'valkey-8.1', server: 'valkey', suite: 'trixie', package: 'valkey-server', version: '8.1', image: 'valkey/valkey:8.1-alpine' },
  { name: 'valkey-9', server: 'valkey', suite: 'sid', package: 'valkey-server', version: '9.1', image: 'valkey/valkey:9.1-alpine' },
  { name: 'redis-cluster', server: 'redis', suite: 'trixie', package: 'redis-server', version: '8.0.2', image: 'redis:8.6-alpine', cluster: true },
] as const satisfies readonly TargetSpec[];

export const TARGET_NAMES: readonly string[] = TARGETS.map((t) => t.name);

/**
 * Whether a server's `version` is what a line's `version` asks for: `8.0` takes 8.0.2 and 8.0.6, `8.0.6` only
 * 8.0.6 (a whole dotted part at a time, so `8.0` never takes 8.01).
 */
export function versionMatches(actual: string, wanted: string): boolean {
  return actual === wanted || actual.startsWith(`${wanted}.`);
}

/** The upstream version in a Debian package version: `5:8.0.2-3+deb13u3` is 8.0.2, `8.1.1+dfsg1-3` is 8.1.1. */
export function upstreamVersion(debianVersion: string): string {
  return /^(?:\d+:)?(\d+(?:\.\d+)*)/.exec(debianVersion)?.[1] ?? debianVersion;
}

export function targetSpec(name: string): TargetSpec | undefined {
  return TARGETS.find((t) => t.name === name);
}

/** `redis-server` → `redis-tools`: the package with the CLI (and, in Debian, the server's executable itself). */
export function toolsPackage(spec: Pick<TargetSpec, 'package'>): string {
  return spec.package.replace(/-server$/, '-tools');
}

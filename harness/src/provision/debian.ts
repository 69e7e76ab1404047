/**
 * Installs server and CLI binaries without Docker, from Debian packages, into a per-user cache directory: one
 * directory per Debian suite the target table (harness/src/targets/catalog.ts) names. Each suite's binaries need
 * that suite's glibc, so its libraries come along and the binaries run through the suite's own dynamic loader:
 *   <dir>/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 --library-path <dir>/lib/…:<dir>/usr/lib/… <dir>/usr/bin/redis-server
 * apt runs with a private state directory whose source list is the system's own archive with the wanted suite,
 * so the system's apt configuration is never touched.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheRoot } from '../paths.ts';
import {
  type DebianSuite,
  TARGETS,
  type TargetSpec,
  toolsPackage,
  upstreamVersion,
  versionMatches,
} from '../targets/catalog.ts';

/** The suite of the binaries started without a target (`LocalServer.start({ kind })`, fault scenarios). */
export const DEFAULT_SUITE: DebianSuite = 'trixie';

/**
 * Each suite's runtime libraries the server binaries link against, directly or through libssl and libsystemd
 * (checked with the loader's `--list`); bookworm names its OpenSSL package libssl3, later suites libssl3t64.
 */
const COMMON_LIBRARIES = ['libc6', 'libstdc++6', 'libgcc-s1', 'libatomic1', 'libjemalloc2', 'liblzf1', 'libsystemd0'];
export const LIBRARY_PACKAGES: Record<DebianSuite, string[]> = {
  bookworm: [
    ...COMMON_LIBRARIES,
    ...['libssl3', 'libcap2', 'libgcrypt20', 'libgpg-error0', 'liblzma5', 'libzstd1', 'liblz4-1'],
  ],
  trixie: [...COMMON_LIBRARIES, 'libssl3t64', 'libcap2'],
  sid: [...COMMON_LIBRARIES, 'libssl3t64', 'libcap2', 'zlib1g', 'libzstd1'],
};

/** The server and tools packages a suite's directory must hold for these targets. */
export function serverPackages(suite: DebianSuite, targets: readonly TargetSpec[] = TARGETS): string[] {
  return [...new Set(targets.filter((t) => t.suite === suite).flatMap((t) => [t.package, toolsPackage(t)]))].sort();
}

/**
 * The lines of `targets` a suite's manifest does not serve: its server package missing, or at another version than
 * the line asks for (a cache installed before the line moved to a newer patch, or an archive that moved on).
 */
export function unmetTargets(manifest: Manifest | undefined, targets: readonly TargetSpec[]): string[] {
  return targets.flatMap((t) => {
    const installed = manifest?.packages[t.package];
    if (!installed || !manifest?.packages[toolsPackage(t)]) return [`${t.name}: ${t.package} not installed`];
    const version = upstreamVersion(installed);
    return versionMatches(version, t.version) ? [] : [`${t.name}: ${t.package} ${version}, the line says ${t.version}`];
  });
}

export interface Manifest {
  suite: string;
  installedAt: string;
  packages: Record<string, string>;
}

export class ProvisionError extends Error {
  override readonly name = 'ProvisionError';
}

export function serversDir(suite: DebianSuite = DEFAULT_SUITE, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'servers', suite);
}

export function readManifest(dir: string): Manifest | undefined {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

/**
 * The system's Debian archive URIs, read from its own apt sources (one-line `.list` and deb822 `.sources`),
 * leaving out the security archive, whose suites are named differently.
 */
export function debianArchiveUris(files: { name: string; text: string }[]): string[] {
  const uris = new Set<string>();
  for (const { name, text } of files) {
    if (name.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const uriLine = /^URIs:\s*(.+)$/m.exec(stanza)?.[1];
        const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1] ?? '';
        if (!uriLine || suites.includes('-security')) continue;
        for (const uri of uriLine.trim().split(/\s+/)) uris.add(uri);
      }
    } else {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (m?.[1] && m[2] && !m[2].includes('-security')) uris.add(m[1]);
      }
    }
  }
  return [...uris].filter((uri) => !/security/.test(uri));
}

function systemAptSources(): { name: string; text: string }[] {
  const files: { name: string; text: string }[] = [];
  if (existsSync('/etc/apt/sources.list'))
    files.push({ name: 'sources.list', text: readFileSync('/etc/apt/sources.list', 'utf8') });
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.list') || name.endsWith('.sources'))
        files.push({ name, text: readFileSync(join(dir, name), 'utf8') });
    }
  }
  return files;
}

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const UNSUPPORTED_HINT =
  'Install Redis and Valkey yourself and name them with REDIS_TARGETS (see README, "Targets"), ' +
  'or install Docker and use RAK_PROVIDER=docker.';

/** Why this machine cannot provision, or undefined when it can. */
export function provisionBlocker(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return `provisioning needs Linux on x86_64 (this is ${process.platform}/${process.arch})`;
  }
  for (const tool of ['apt-get', 'dpkg'])
    if (!has(tool)) return `provisioning needs Debian's ${tool}, which is not installed`;
  return undefined;
}

export interface ProvisionResult {
  suite: DebianSuite;
  dir: string;
  downloaded: boolean;
  manifest: Manifest;
}

/** `redis 8.0.2, valkey 8.1.1`: the server packages' versions in a manifest. */
function describeServers(manifest: Manifest): string {
  return Object.entries(manifest.packages)
    .filter(([name]) => name.endsWith('-server'))
    .map(([name, version]) => `${name.replace(/-server$/, '')} ${version}`)
    .join(', ');
}

/**
 * Installs the servers of `targets` (default: every target in the table), one directory per Debian suite.
 * Idempotent: a suite whose manifest already lists every package it needs downloads nothing.
 */
export function provisionServers(
  log: (line: string) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
  targets: readonly TargetSpec[] = TARGETS,
): ProvisionResult[] {
  const suites = [...new Set(targets.map((t) => t.suite))];
  return suites.map((suite) =>
    provisionSuite(
      suite,
      targets.filter((t) => t.suite === suite),
      log,
      env,
    ),
  );
}

function provisionSuite(
  suite: DebianSuite,
  wanted: readonly TargetSpec[],
  log: (line: string) => void,
  env: NodeJS.ProcessEnv,
): ProvisionResult {
  const dir = serversDir(suite, env);
  const servers = serverPackages(suite, wanted);
  const existing = readManifest(dir);
  const unmet = unmetTargets(existing, wanted);
  if (existing && unmet.length === 0) {
    log(`${suite}: servers already installed in ${dir} (${describeServers(existing)}): nothing downloaded`);
    return { suite, dir, downloaded: false, manifest: existing };
  }
  if (existing) log(`${suite}: ${dir} does not serve ${unmet.join('; ')}: installing again`);
  // A suite's directory is replaced whole, so it gets every server the table takes from that suite.
  const packages = [...new Set([...servers, ...serverPackages(suite), ...LIBRARY_PACKAGES[suite]])];
  const blocker = provisionBlocker();
  if (blocker) throw new ProvisionError(`Cannot install server binaries here: ${blocker}. ${UNSUPPORTED_HINT}`);
  const uris = debianArchiveUris(systemAptSources());
  if (uris.length === 0) {
    throw new ProvisionError(
      `Cannot install server binaries here: no Debian archive found in /etc/apt sources. ${UNSUPPORTED_HINT}`,
    );
  }

  const work = mkdtempSync(join(tmpdir(), 'rak-provision-'));
  try {
    const state = join(work, 'state');
    const cache = join(work, 'cache');
    for (const d of [join(state, 'lists/partial'), join(cache, 'archives/partial'), join(work, 'debs')])
      mkdirSync(d, { recursive: true });
    const sourceList = join(work, 'sources.list');
    writeFileSync(sourceList, uris.map((uri) => `deb ${uri} ${suite} main\n`).join(''));
    const apt = [
      '-q',
      '-o',
      `Dir::State=${state}`,
      '-o',
      `Dir::Cache=${cache}`,
      '-o',
      `Dir::Etc::SourceList=${sourceList}`,
      '-o',
      'Dir::Etc::SourceParts=/dev/null',
      '-o',
      'APT::Sandbox::User=root',
    ];
    const named = packages.filter((p) => !LIBRARY_PACKAGES[suite].includes(p));
    log(`downloading Debian ${suite} packages: ${named.join(', ')} and their libraries`);
    const run = (args: string[], cwd = work) => {
      const r = spawnSync('apt-get', [...apt, ...args], { cwd, encoding: 'utf8' });
      if (r.status !== 0) {
        throw new ProvisionError(
          `apt-get ${args[0]} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}. ${UNSUPPORTED_HINT}`,
        );
      }
    };
    run(['update']);
    run(['download', ...packages], join(work, 'debs'));

    const staging = `${dir}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const installed: Record<string, string> = {};
    for (const deb of readdirSync(join(work, 'debs')).filter((f) => f.endsWith('.deb'))) {
      const path = join(work, 'debs', deb);
      execFileSync('dpkg-deb', ['-x', path, staging]);
      const [name, version] = execFileSync('dpkg-deb', ['-f', path, 'Package', 'Version'], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((l) => l.replace(/^\w+:\s*/, ''));
      if (name && version) installed[name] = version;
    }
    const manifest: Manifest = { suite, installedAt: new Date().toISOString(), packages: installed };
    writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    // Swap in atomically so an interrupted run never leaves a half-installed directory behind.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, '..'), { recursive: true });
    renameSync(staging, dir);
    log(`${suite}: installed ${describeServers(manifest)} into ${dir}`);
    // The archive moved on (sid does): the servers are installed, and the connection check will fail until the
    // table's line names the version the archive has.
    for (const line of unmetTargets(manifest, wanted))
      log(
        `${suite}: the archive does not have what the target table asks for (${line}): update that line's version in harness/src/targets/catalog.ts`,
      );
    return { suite, dir, downloaded: true, manifest };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

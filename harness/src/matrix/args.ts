/** `npm run matrix` arguments: parsed here; the CLI checks the ids against the known workflows, targets and faults. */

export const MATRIX_USAGE = `Usage: npm run matrix -- [options]

Runs every workflow's conformance suite on every target server and writes reports/matrix.{json,md,html}.
Exits 1 when a check fails, 2 on a usage error.

Options:
  --only ID,ID          run only these workflows (suite ids, e.g. products-cache,rate-limiter)
  --targets NAME,NAME   start only these targets (e.g. redis-8,valkey-8.1; with REDIS_TARGETS, its names)
  --faults[=ID,ID]      add the reliability lane: every fault scenario, or the named ones, on private servers
  --allow-destructive   on REDIS_TARGETS servers, also run the checks marked destructive (they create ACL users)
  -h, --help            print this and exit

Unknown ids exit 2 and name the known ones.`;

export interface MatrixArgs {
  help: boolean;
  /** Workflow ids; empty: all. */
  only: string[];
  /** Target names; empty: the default set (RAK_TARGETS, else every target of the provider). */
  targets: string[];
  /** Fault scenario ids when the reliability lane runs (empty: all of them); undefined when it does not. */
  faults?: string[];
  allowDestructive: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/** Parses `argv` (without node and the script); throws UsageError on an unknown option or a missing value. */
export function parseMatrixArgs(argv: string[]): MatrixArgs {
  const args: MatrixArgs = { help: false, only: [], targets: [], allowDestructive: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const [flag, inline] = eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('-') || list(v).length === 0)
        throw new UsageError(`${flag} needs a comma-separated list`);
      return list(v);
    };
    switch (flag) {
      case '-h':
      case '--help':
        args.help = true;
        break;
      case '--only':
        args.only.push(...value());
        break;
      case '--targets':
        args.targets.push(...value());
        break;
      case '--faults':
        args.faults = [...(args.faults ?? []), ...(inline === undefined ? [] : value())];
        break;
      case '--allow-destructive':
        args.allowDestructive = true;
        break;
      default:
        throw new UsageError(`unknown argument ${arg}`);
    }
  }
  return args;
}

/**
 * Opens a report in headless Chromium (Debian's `chromium` package) to prove a browser renders it: the DOM after
 * load, and a screenshot a person can look at. Each run gets a fresh, empty profile that is removed afterwards.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** CHROMIUM overrides the binary; otherwise Debian's package path. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const path = env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}: install it with \`apt-get update && apt-get install -y --no-install-recommends chromium\` (Debian; .ci/run does this), or set CHROMIUM to a Chromium binary`,
    );
  }
  return path;
}

/** No network, no profile state, nothing a sandboxed CI container cannot do. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
];

async function chromium(args: string[]): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'rak-chromium-'));
  try {
    const { stdout } = await run(chromiumPath(), [...FLAGS, `--user-data-dir=${profile}`, ...args], {
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The document as Chromium built it after loading the file. */
export async function renderedDom(htmlFile: string): Promise<string> {
  return chromium(['--dump-dom', pathToFileURL(resolve(htmlFile)).href]);
}

/** Writes a PNG of the page's first `height` pixels at `width`. */
export async function screenshot(htmlFile: string, png: string, width = 1280, height = 1600): Promise<string> {
  mkdirSync(dirname(png), { recursive: true });
  rmSync(png, { force: true });
  await chromium([
    `--screenshot=${resolve(png)}`,
    `--window-size=${width},${height}`,
    pathToFileURL(resolve(htmlFile)).href,
  ]);
  if (!existsSync(png)) throw new Error(`Chromium exited without writing the screenshot ${png}`);
  return png;
}

// Finding the `ticklens` binary: the `ticklens.server.path` setting, then the binary bundled in the
// extension, then `PATH` (the order rust-analyzer's bootstrap uses). Every candidate is validated by
// running `--version`, so a wrong path fails here with a clear message, not later as a dead client.
//
// This module knows nothing about VS Code: the file system and process probes are passed in, so the
// lookup is unit-tested with fakes.

import * as path from "node:path";

/** Where a candidate binary came from; shown in the status bar tooltip and in errors. */
export type ServerSource = "setting" | "bundled" | "PATH";

export interface FoundServer {
  path: string;
  source: ServerSource;
  /** The version the binary reports, e.g. "0.1.0". */
  version: string;
}

export interface NotFound {
  /** One line per candidate that was tried and why it was rejected. */
  attempts: string[];
}

export interface DiscoveryInput {
  /** `ticklens.server.path` from user settings (machine scope), if set. */
  settingPath: string | undefined | null;
  /** Whether the workspace is trusted; an untrusted workspace may not choose the binary. */
  workspaceTrusted: boolean;
  /** The extension's install folder; the bundled binary lives in `server/` inside it. */
  extensionPath: string;
  platform: NodeJS.Platform;
  /** The `PATH` environment variable. */
  envPath: string | undefined;
}

export interface DiscoveryProbes {
  /** Whether a regular file exists at the path. */
  isFile(file: string): Promise<boolean>;
  /** The stdout of `file --version`, or undefined when it cannot be run or fails. */
  versionOutput(file: string): Promise<string | undefined>;
}

export function executableName(platform: NodeJS.Platform): string {
  return platform === "win32" ? "ticklens.exe" : "ticklens";
}

/** The binary the packaged extension carries for its platform. */
export function bundledServerPath(extensionPath: string, platform: NodeJS.Platform): string {
  return pathsOf(platform).join(extensionPath, "server", executableName(platform));
}

/** Path rules of the platform the extension runs on (the tests run Windows cases on Linux). */
function pathsOf(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/** Parses `ticklens 0.1.0` (clap's `--version` output); undefined for anything else. */
export function parseVersion(output: string): string | undefined {
  const match = /^ticklens (\S+)\s*$/m.exec(output.trim());
  return match?.[1];
}

/** Candidate paths in lookup order, with the reason a candidate was skipped, if it was. */
export function candidates(input: DiscoveryInput): { path?: string; source: ServerSource; skipped?: string }[] {
  const paths = pathsOf(input.platform);
  const list: { path?: string; source: ServerSource; skipped?: string }[] = [];
  const setting = input.settingPath?.trim();
  if (setting) {
    if (!input.workspaceTrusted) {
      list.push({ source: "setting", skipped: `ticklens.server.path (${setting}) is ignored in an untrusted workspace` });
    } else if (!paths.isAbsolute(setting)) {
      list.push({ source: "setting", skipped: `ticklens.server.path (${setting}) must be an absolute path` });
    } else {
      list.push({ path: setting, source: "setting" });
    }
  }
  list.push({ path: bundledServerPath(input.extensionPath, input.platform), source: "bundled" });
  const separator = input.platform === "win32" ? ";" : ":";
  for (const dir of (input.envPath ?? "").split(separator)) {
    if (dir && paths.isAbsolute(dir)) {
      list.push({ path: paths.join(dir, executableName(input.platform)), source: "PATH" });
    }
  }
  return list;
}

/**
 * The first candidate that exists and answers `--version` as ticklens. A `ticklens.server.path`
 * that is set but broken is an error, not a reason to silently run another binary.
 */
export async function discoverServer(
  input: DiscoveryInput,
  probes: DiscoveryProbes,
): Promise<FoundServer | NotFound> {
  const attempts: string[] = [];
  for (const candidate of candidates(input)) {
    if (candidate.skipped !== undefined || candidate.path === undefined) {
      attempts.push(candidate.skipped ?? "skipped");
      continue;
    }
    const where = `${candidate.source}: ${candidate.path}`;
    if (!(await probes.isFile(candidate.path))) {
      if (candidate.source === "setting") {
        return { attempts: [...attempts, `${where}: no such file`] };
      }
      if (candidate.source === "bundled") {
        attempts.push(`${where}: not bundled for this platform`);
      }
      continue;
    }
    const output = await probes.versionOutput(candidate.path);
    const version = output === undefined ? undefined : parseVersion(output);
    if (version === undefined) {
      const problem =
        output === undefined
          ? `${where}: \`--version\` failed`
          : `${where}: \`--version\` printed ${JSON.stringify(output.trim().slice(0, 80))}, not "ticklens <version>"`;
      if (candidate.source === "setting") {
        return { attempts: [...attempts, problem] };
      }
      attempts.push(problem);
      continue;
    }
    return { path: candidate.path, source: candidate.source, version };
  }
  if (!attempts.some((line) => line.startsWith("PATH:"))) {
    attempts.push("PATH: no ticklens binary on PATH");
  }
  return { attempts };
}

export function isFound(result: FoundServer | NotFound): result is FoundServer {
  return (result as FoundServer).path !== undefined;
}

import { UserError } from "../errors.js";

/**
 * Where Renovate looks for a repository config, in its own order (renovate `lib/config/app-strings.ts`,
 * `configFileNames`). package.json counts only with a "renovate" key.
 */
export const RENOVATE_CONFIG_FILES = [
  "renovate.json",
  "renovate.json5",
  ".github/renovate.json",
  ".github/renovate.json5",
  ".gitlab/renovate.json",
  ".gitlab/renovate.json5",
  ".renovaterc",
  ".renovaterc.json",
  ".renovaterc.json5",
  "package.json",
] as const;

/**
 * The Renovate configs among `files` (repo-relative, forward slashes), in Renovate's order.
 * `package.json` is one only when `read` is given and its JSON has a "renovate" key.
 */
export function findRenovateConfigs(files: string[], read?: (path: string) => string | undefined): string[] {
  const present = new Set(files);
  return RENOVATE_CONFIG_FILES.filter((name) => {
    if (!present.has(name)) return false;
    if (name !== "package.json") return true;
    try {
      const pkg: unknown = JSON.parse(read?.(name) ?? "{}");
      return typeof pkg === "object" && pkg !== null && "renovate" in pkg;
    } catch {
      return false; // an unreadable package.json is some other tool's problem
    }
  });
}

/** Two or more Renovate configs: Renovate reads only the first, so which one to merge into is the user's call. */
export class RenovateConfigConflict extends UserError {
  readonly code = "RENOVATE_CONFIG_CONFLICT";
  readonly paths: string[];
  constructor(paths: string[]) {
    super(`${paths.length} Renovate configs found (${paths.join(", ")}); Renovate reads only ${paths[0]}. Merge them into one file, then re-run.`);
    this.name = "RenovateConfigConflict";
    this.paths = paths;
  }
}

/** The one Renovate config to merge into, undefined when there is none; throws RenovateConfigConflict for two or more. */
export function pickRenovateConfig(files: string[], read?: (path: string) => string | undefined): string | undefined {
  const found = findRenovateConfigs(files, read);
  if (found.length > 1) throw new RenovateConfigConflict(found);
  return found[0];
}

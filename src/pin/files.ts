import { listRepoDir, readRepoBytes, walkRepoFiles } from "../fsguard.js";

/** A workflow or composite action as we edit it: text we can splice, and how to turn it back into bytes. */
export interface SourceFile {
  /** Repo-relative, forward slashes. */
  path: string;
  text: string;
  /**
   * `utf8`: decoded as UTF-8 (a BOM stays the first character of `text`, so it is written back). `latin1`:
   * bytes that are not UTF-8, one character per byte, so every byte we do not touch is written back as it
   * was (our edits are ASCII).
   */
  encoding: "utf8" | "latin1";
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function decode(path: string, bytes: Uint8Array): SourceFile {
  try {
    return { path, text: STRICT_UTF8.decode(bytes), encoding: "utf8" };
  } catch {
    return { path, text: Buffer.from(bytes).toString("latin1"), encoding: "latin1" };
  }
}

// Folders that hold other people's code or build output, never the repository's own actions.
const SKIP = new Set([".git", "node_modules", "vendor", "dist", "build", "target", "testdata", "third_party"]);

/**
 * `.github/workflows/*.yml|yaml` and every `action.yml` / `action.yaml` of the repository (a local
 * composite action: its `runs.steps` hold `uses:` lines too), sorted.
 */
export function findSources(dir: string): SourceFile[] {
  // Through the guard, as set-up reads (issue 11): a folder or file linked outside the repository, or a
  // directory where a workflow file should be, is refused with exit 2 naming it, never read.
  const paths = listRepoDir(dir, ".github/workflows").filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => `.github/workflows/${f}`);
  // A symbolic link is not walked into, nor read as an action.
  const files = walkRepoFiles(dir, ".", { maxDepth: 8, skip: (name, rel) => SKIP.has(name) || rel === ".github/workflows" });
  paths.push(...files.filter((f) => /(^|\/)action\.ya?ml$/.test(f)));
  return paths.map((p) => decode(p, readRepoBytes(dir, p) ?? Buffer.alloc(0)));
}

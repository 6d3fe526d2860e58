import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

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

export function encode(file: SourceFile, text: string): Buffer {
  return Buffer.from(text, file.encoding);
}

// Folders that hold other people's code or build output, never the repository's own actions.
const SKIP = new Set([".git", "node_modules", "vendor", "dist", "build", "target", "testdata", "third_party"]);

/**
 * `.github/workflows/*.yml|yaml` and every `action.yml` / `action.yaml` of the repository (a local
 * composite action: its `runs.steps` hold `uses:` lines too), sorted.
 */
export function findSources(dir: string): SourceFile[] {
  const paths: string[] = [];
  const wf = join(dir, ".github", "workflows");
  if (existsSync(wf)) for (const f of readdirSync(wf).sort()) if (/\.ya?ml$/.test(f) && statSync(join(wf, f)).isFile()) paths.push(`.github/workflows/${f}`);
  const walk = (rel: string, depth: number) => {
    if (depth > 8) return;
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIP.has(entry.name) && r !== ".github/workflows") walk(r, depth + 1);
      } else if (entry.isFile() && (entry.name === "action.yml" || entry.name === "action.yaml")) paths.push(r);
    }
  };
  walk("", 0);
  return paths.map((p) => decode(p, readFileSync(join(dir, p))));
}

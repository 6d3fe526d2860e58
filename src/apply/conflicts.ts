import type { Deps } from "../deps.js";
import type { FileChange } from "../types.js";

/**
 * Record each conflict we wrote with markers in git's index as git's own merges do: stage 1 our last
 * render (the base), 2 the user's file, 3 the new render. `git status` then says "both modified" and
 * `git commit -a` refuses until the user resolves the file and `git add`s it (issue 20.2). Outside a
 * git repository there is no index: nothing to do. Returns the paths recorded.
 */
export async function recordConflicts(dir: string, changes: FileChange[], written: string[], deps: Deps): Promise<string[]> {
  const todo = changes.filter((c) => c.action === "conflict" && c.stages && written.includes(c.path));
  if (todo.length === 0) return [];
  const inRepo = await deps.exec("git", ["-C", dir, "rev-parse", "--is-inside-work-tree"]);
  if (inRepo.exitCode !== 0 || inRepo.stdout.trim() !== "true") return [];
  const recorded: string[] = [];
  for (const c of todo) {
    const stages = c.stages;
    if (!stages) continue;
    const blobs: string[] = [];
    for (const text of [stages.base, stages.ours, stages.theirs]) {
      const r = await deps.exec("git", ["-C", dir, "hash-object", "-w", "--stdin"], { input: text });
      const sha = r.stdout.trim();
      if (r.exitCode !== 0 || !/^[0-9a-f]{40,64}$/.test(sha)) break;
      blobs.push(sha);
    }
    if (blobs.length !== 3) continue;
    // The file's mode as the index has it (an executable stays one); a new path gets a plain file's.
    const mode = /^(\d{6}) /.exec((await deps.exec("git", ["-C", dir, "ls-files", "-s", "--", c.path])).stdout)?.[1] ?? "100644";
    const zero = "0".repeat(blobs[0]?.length ?? 40);
    // A mode-0 entry removes stage 0 first; then the three stages (git update-index, "USING --INDEX-INFO").
    const info = [`0 ${zero}\t${c.path}`, ...blobs.map((sha, i) => `${mode} ${sha} ${i + 1}\t${c.path}`)].join("\n") + "\n";
    const r = await deps.exec("git", ["-C", dir, "update-index", "--index-info"], { input: info });
    if (r.exitCode === 0) recorded.push(c.path);
  }
  return recorded;
}

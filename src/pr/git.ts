import type { Deps } from "../deps.js";
import { UserError } from "../errors.js";

/** git in `dir`; throws a UserError naming the command when it fails (every caller needs it to succeed). */
export async function git(deps: Deps, dir: string, args: string[]): Promise<string> {
  const r = await deps.exec("git", ["-C", dir, ...args]);
  if (r.exitCode !== 0) throw new UserError(`git ${args.join(" ")} failed: ${(r.stderr || r.failed || r.stdout).trim()}`);
  return r.stdout.trim();
}

/** git that may fail: the stdout, or undefined. */
export async function gitMaybe(deps: Deps, dir: string, args: string[]): Promise<string | undefined> {
  const r = await deps.exec("git", ["-C", dir, ...args]);
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

export interface Start {
  /** The branch the user is on: the PR's base, and where we return. */
  base: string;
}

/**
 * Before anything is written: a git repository on a branch, with an origin, and a clean tree. A dirty tree
 * is refused whole (not just the files we touch): the commit must hold our files and nothing of the user's.
 */
export async function preflight(deps: Deps, dir: string): Promise<Start> {
  if ((await gitMaybe(deps, dir, ["rev-parse", "--is-inside-work-tree"])) !== "true") throw new UserError(`${dir}: not a git repository; --pr needs one`);
  const base = await gitMaybe(deps, dir, ["symbolic-ref", "--short", "HEAD"]);
  if (!base) throw new UserError(`${dir}: HEAD is detached; check out the branch the pull request should go into`);
  if (base.startsWith("relay-security/")) throw new UserError(`${dir}: on ${base}, our own branch; check out the branch the pull request should go into`);
  if ((await gitMaybe(deps, dir, ["rev-parse", "--verify", "-q", "HEAD"])) === undefined) throw new UserError(`${dir}: ${base} has no commit yet; commit once before --pr`);
  if ((await gitMaybe(deps, dir, ["remote", "get-url", "origin"])) === undefined) throw new UserError(`${dir}: no origin remote to push the branch to`);
  const dirty = (await git(deps, dir, ["status", "--porcelain", "--untracked-files=all"])).split("\n").filter(Boolean);
  if (dirty.length) {
    throw new UserError(`--pr: refusing, the working tree has uncommitted changes (${dirty.map((l) => l.slice(3)).slice(0, 5).join(", ")}${dirty.length > 5 ? ", ..." : ""}); commit or stash them first`);
  }
  return { base };
}

/**
 * Commit `files` on `branch`, started afresh from the base's HEAD (a re-run replaces the branch's commit
 * rather than stacking on a stale one), then return to the base with its tree as it was before the run.
 */
export async function commitOnBranch(deps: Deps, dir: string, start: Start, branch: string, files: string[], message: string): Promise<string> {
  await git(deps, dir, ["switch", "-q", "-C", branch]);
  let commit: string;
  try {
    // -f: only the paths we wrote, which the user asked for even when a broad .gitignore (`.*`) covers them.
    await git(deps, dir, ["add", "-A", "-f", "--", ...files]);
    await git(deps, dir, ["commit", "-q", "--no-verify", "-m", message, "--", ...files]);
    commit = await git(deps, dir, ["rev-parse", "HEAD"]);
  } catch (error) {
    // No commit: the branch is still at the base's tip, so switching back carries the written files along.
    await git(deps, dir, ["reset", "-q"]);
    await git(deps, dir, ["switch", "-q", start.base]);
    throw error;
  }
  // Our files are in the commit; the base's tree goes back to what it was (clean, as preflight saw it).
  await git(deps, dir, ["switch", "-q", "-f", start.base]);
  return commit;
}

/**
 * Push the branch. It is ours, so a re-run replaces it, but only over the commit we last saw there
 * (`--force-with-lease` against the fetched tip): a concurrent push is never lost silently.
 */
export async function pushBranch(deps: Deps, dir: string, branch: string): Promise<{ ok: true } | { ok: false; why: string }> {
  const remote = await gitMaybe(deps, dir, ["ls-remote", "--heads", "origin", `refs/heads/${branch}`]);
  if (remote === undefined) return { ok: false, why: "git ls-remote origin failed (no access to origin?)" };
  const tip = remote.split(/\s/)[0] ?? "";
  const r = await deps.exec("git", ["-C", dir, "push", "-q", `--force-with-lease=refs/heads/${branch}:${tip}`, "origin", `refs/heads/${branch}:refs/heads/${branch}`]);
  return r.exitCode === 0 ? { ok: true } : { ok: false, why: (r.stderr || r.failed || "").trim() };
}

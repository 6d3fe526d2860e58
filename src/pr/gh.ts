import type { Deps } from "../deps.js";

/**
 * The three gh calls --pr makes (cli/cli v2): `auth status` exits non-zero when no host is logged in and
 * no GH_TOKEN is set; `pr list --head B --json number,url` prints a JSON array (open PRs by default);
 * `pr create` prints the new PR's URL; `pr edit N` changes title and body. gh finds the repository from
 * the git remotes of its working directory, so every call runs in the repository.
 */
export type GhAvailability = { ok: true } | { ok: false; why: string };

export async function ghReady(deps: Deps, dir: string): Promise<GhAvailability> {
  const r = await deps.exec("gh", ["auth", "status"], { cwd: dir });
  if (r.failed) return { ok: false, why: "gh is not installed (https://cli.github.com)" };
  if (r.exitCode !== 0) return { ok: false, why: `gh is not logged in (${(r.stderr || r.stdout).trim().split("\n")[0]})` };
  return { ok: true };
}

export async function findPr(deps: Deps, dir: string, branch: string): Promise<{ number: number; url: string } | undefined> {
  const r = await deps.exec("gh", ["pr", "list", "--head", branch, "--state", "open", "--json", "number,url", "--limit", "1"], { cwd: dir });
  if (r.exitCode !== 0) throw new Error(`gh pr list failed: ${r.stderr.trim()}`);
  const list = JSON.parse(r.stdout || "[]") as { number: number; url: string }[];
  return list[0];
}

export interface PrText {
  title: string;
  bodyFile: string;
}

export async function createPr(deps: Deps, dir: string, base: string, branch: string, text: PrText): Promise<string> {
  const r = await deps.exec("gh", ["pr", "create", "--base", base, "--head", branch, "--title", text.title, "--body-file", text.bodyFile], { cwd: dir });
  if (r.exitCode !== 0) throw new Error(`gh pr create failed: ${r.stderr.trim()}`);
  return r.stdout.trim().split("\n").pop() ?? "";
}

export async function editPr(deps: Deps, dir: string, number: number, text: PrText): Promise<void> {
  const r = await deps.exec("gh", ["pr", "edit", String(number), "--title", text.title, "--body-file", text.bodyFile], { cwd: dir });
  if (r.exitCode !== 0) throw new Error(`gh pr edit failed: ${r.stderr.trim()}`);
}

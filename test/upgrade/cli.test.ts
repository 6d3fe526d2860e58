import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PATHS } from "../../src/render/index.js";
import { runCli } from "../support/cli.js";
import { git, makeRepo, ROOT, snapshot } from "../support/repo.js";
import { CONFLICT_BLOCK, OVERLAPPING, USER_EDITS, USER_LINES } from "./edits.js";
import { commitAll, read, setupPreviousRelease, write } from "./support.js";

/** The previous release, then the maintainer's edits, committed: what a user upgrades from. */
async function previous(edits: Record<string, (t: string) => string>): Promise<string> {
  const dir = makeRepo("example");
  await setupPreviousRelease(dir);
  for (const [path, change] of Object.entries(edits)) write(dir, path, change(read(dir, path)));
  commitAll(dir, "maintainer edits");
  return dir;
}

const hasLines = (dir: string, path: string) => {
  const lines = read(dir, path).split("\n");
  for (const line of USER_LINES[path] ?? []) expect(lines, path).toContain(line);
};

describe("upgrading with the built CLI", () => {
  it("overlap: fail writes nothing; markers list the file and exit 1; resolved, the next run has nothing to do", async () => {
    const dir = await previous({ ...USER_EDITS, [PATHS.securityScan]: (t) => OVERLAPPING(USER_EDITS[PATHS.securityScan]?.(t) ?? t) });
    const before = snapshot(dir);

    const fail = runCli(["--yes", "--on-conflict", "fail", dir]);
    expect(fail.code).toBe(1);
    expect(fail.stdout).toMatch(/CONFLICT +\.github\/workflows\/security-scan\.yml/);
    expect(fail.stdout).toContain("--on-conflict fail: a file conflicts, so nothing was written");
    expect(snapshot(dir)).toEqual(before);

    const r = runCli(["--yes", dir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Conflicts in \.github\/workflows\/security-scan\.yml: your edits and ours overlap in 1 place\(s\); conflict markers written/);
    expect(read(dir, PATHS.securityScan)).toContain(CONFLICT_BLOCK);
    for (const path of Object.keys(USER_EDITS)) hasLines(dir, path);
    expect(() => JSON.parse(read(dir, PATHS.renovate))).not.toThrow();

    write(dir, PATHS.securityScan, read(dir, PATHS.securityScan).replace(`${CONFLICT_BLOCK}\n`, "          retention-days: 7\n"));
    commitAll(dir, "resolved");
    const resolved = snapshot(dir);
    const again = runCli(["--yes", dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Nothing to do/);
    expect(snapshot(dir)).toEqual(resolved);
    expect(runCli(["check", "--offline", dir]).code).toBe(0);
  });

  it("markers are recorded in git's index as a merge: git status says both modified, git commit is refused until resolved (issue 20.2)", async () => {
    const dir = await previous({ ...USER_EDITS, [PATHS.securityScan]: (t) => OVERLAPPING(USER_EDITS[PATHS.securityScan]?.(t) ?? t) });
    const mine = read(dir, PATHS.securityScan);
    const r = runCli(["--yes", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`recorded as unmerged in git's index (git status: both modified): ${PATHS.securityScan}`);
    expect(git(dir, "status", "--porcelain", "--", PATHS.securityScan)).toBe(`UU ${PATHS.securityScan}\n`);
    expect(git(dir, "status")).toContain(`both modified:   ${PATHS.securityScan}`);
    // The three stages are the base (our last render), the user's file and the new render.
    expect(git(dir, "show", `:2:${PATHS.securityScan}`)).toBe(mine);
    const state = JSON.parse(read(dir, PATHS.state)) as { files: Record<string, { generated: string }> };
    expect(git(dir, "show", `:3:${PATHS.securityScan}`)).toBe(state.files[PATHS.securityScan]?.generated);
    expect(git(dir, "show", `:1:${PATHS.securityScan}`)).not.toBe(mine);
    // The working tree keeps the markers, and `git commit` refuses to commit them. (`git commit -a` stages
    // an unmerged file as resolved, markers and all, in git's own merges too: no index entry can stop it.)
    expect(read(dir, PATHS.securityScan)).toContain(CONFLICT_BLOCK);
    expect(() => git(dir, "commit", "-qm", "oops")).toThrow(/not possible because you have unmerged files/);
    expect(git(dir, "log", "-1", "--format=%s")).toBe("maintainer edits\n");
    // `git checkout --theirs` takes the new render, as after any merge.
    git(dir, "checkout", "--theirs", "--", PATHS.securityScan);
    expect(read(dir, PATHS.securityScan)).toBe(state.files[PATHS.securityScan]?.generated);
    // Resolved (here: the new render taken) and added, it commits, and the next run has nothing to do.
    git(dir, "add", PATHS.securityScan);
    git(dir, "commit", "-a", "-qm", "resolved");
    expect(runCli(["--yes", dir]).stdout).toMatch(/^Nothing to do/);
  });

  it("--schedule weekly on upgrade: merged with the user's edits; the second run changes no byte", async () => {
    const dir = await previous(USER_EDITS);
    const r = runCli(["--yes", "--schedule", "weekly", dir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const scan = read(dir, PATHS.securityScan);
    expect(scan).toMatch(/cron: '\d+ \d+ \* \* 1'/);
    expect(() => parse(scan)).not.toThrow();
    for (const path of Object.keys(USER_EDITS)) hasLines(dir, path);
    commitAll(dir, "upgraded");
    const once = snapshot(dir);
    const second = runCli(["--yes", dir]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^Nothing to do/);
    expect(snapshot(dir)).toEqual(once);
  });

  // renovate.json: deleting .trivyignore is respected too, but the gate's dry run then fails (trivy-action
  // stops when its ignore file is missing), which is validation's business, not the upgrade's.
  it("a deleted managed file stays deleted; --restore brings it back", async () => {
    const dir = await previous({});
    rmSync(join(dir, PATHS.renovate));
    commitAll(dir, "no Renovate");
    const r = runCli(["--yes", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/skip +renovate\.json +you deleted it after an earlier run; left deleted \(--restore brings it back\)/);
    expect(existsSync(join(dir, PATHS.renovate))).toBe(false);
    commitAll(dir, "upgraded");
    expect(runCli(["--yes", "--restore", dir]).code).toBe(0);
    expect(existsSync(join(dir, PATHS.renovate))).toBe(true);
  });

  it("uncommitted edits in a file it would change: exit 2, naming it, nothing written", async () => {
    const dir = await previous({});
    write(dir, PATHS.renovate, USER_EDITS[PATHS.renovate]?.(read(dir, PATHS.renovate)) ?? "");
    const before = snapshot(dir);
    const r = runCli(["--yes", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/uncommitted changes in files this would change: renovate\.json; commit or stash them, or pass --allow-dirty/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("a hand-written security-scan.yml: exit 1 with the reasons; --adopt replaces it", () => {
    const hand = readFileSync(join(ROOT, "test/fixtures/upgrade/hand-written/security-scan.yml"), "utf8");
    const dir = makeRepo("example", { files: { [PATHS.securityScan]: hand } });
    const r = runCli(["--yes", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/CONFLICT +\.github\/workflows\/security-scan\.yml .*hand-written .*govulncheck -json as the gate \(line 39\).*--adopt replaces it/);
    expect(r.stdout).toContain("note: .github/workflows/security-scan.yml:26: job scan, step 3 (Trivy) is pinned by a bare SHA");
    expect(read(dir, PATHS.securityScan)).toBe(hand);
    commitAll(dir, "set up, except the scan");
    const adopted = runCli(["--yes", "--adopt", dir]);
    expect(adopted.code).toBe(0);
    expect(read(dir, PATHS.securityScan)).toContain("# Managed by relay-security");
  });
});

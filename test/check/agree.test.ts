import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { git, makeRepo } from "../support/repo.js";

/**
 * Issue 20.3: `check` and a re-run are one computation (the plan a `--yes` re-run builds), so they agree
 * in every state, and both print the way out. The state that split them: the state file restored from an
 * older commit while the files are newer.
 */
const STATE = ".github/relay-security.json";
const CI = ".github/workflows/ci.yml";
const lastLine = (out: string) => out.trimEnd().split("\n").at(-1) ?? "";
const commit = (dir: string, message: string) => {
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", message);
};

/** check, then a re-run, in the same state: their exit codes and outputs. */
function both(dir: string) {
  const check = runCli(["check", "--offline", dir]);
  const rerun = runCli(["--yes", dir]);
  return { check, rerun };
}

describe("check and a re-run agree", () => {
  it("a state file restored from an older commit, the files newer: both exit 1, both name the way out, which works", () => {
    const dir = makeRepo("example");
    expect(runCli(["--yes", dir]).code).toBe(0);
    commit(dir, "relay-security");
    expect(runCli(["--yes", "--severity", "CRITICAL", dir]).code).toBe(0);
    commit(dir, "gate on CRITICAL only");
    git(dir, "checkout", "HEAD~1", "--", STATE);
    commit(dir, "restore an older state");

    const { check, rerun } = both(dir);
    expect(check.code).toBe(1);
    expect(rerun.code).toBe(1);
    expect(rerun.stdout).not.toContain("Nothing to do");
    for (const out of [check.stdout, rerun.stdout]) {
      expect(out).toContain("--on-conflict theirs");
      expect(out).toContain("re-run with other answers (--severity, ...)");
    }
    expect(check.stdout).toMatch(new RegExp(`${CI}: edited step`));
    expect(lastLine(rerun.stdout)).toMatch(/^Exit 1: drift in \.github\/workflows\/ci\.yml \(the relay-security step, edited\)/);
    // The re-run changed nothing, as check says it would not.
    expect(git(dir, "status", "--porcelain")).toBe("");

    // The way out, for the newer policy: the answer that matches the files. Then both are green.
    expect(runCli(["--yes", "--severity", "CRITICAL", dir]).code).toBe(0);
    commit(dir, "record the answer");
    const after = both(dir);
    expect(after.check.code).toBe(0);
    expect(after.rerun.code).toBe(0);
    expect(after.rerun.stdout).toMatch(/^Nothing to do/);
  });

  it("our step edited by hand: both exit 1; --on-conflict theirs puts ours back and both are green", () => {
    const dir = makeRepo("example");
    expect(runCli(["--yes", dir]).code).toBe(0);
    const ci = join(dir, CI);
    writeFileSync(ci, readFileSync(ci, "utf8").replace("          exit-code: '1'\n", "          exit-code: '0'\n"));
    commit(dir, "soften the gate");
    const { check, rerun } = both(dir);
    expect([check.code, rerun.code]).toEqual([1, 1]);
    expect(runCli(["--yes", "--on-conflict", "theirs", dir]).code).toBe(0);
    commit(dir, "restore the gate");
    const after = both(dir);
    expect([after.check.code, after.rerun.code]).toEqual([0, 0]);
  });

  it("edits of our own files that a re-run keeps: neither fails", () => {
    const dir = makeRepo("example");
    expect(runCli(["--yes", dir]).code).toBe(0);
    const ignore = join(dir, ".trivyignore");
    writeFileSync(ignore, `${readFileSync(ignore, "utf8")}# a note of ours\n`);
    commit(dir, "note");
    const { check, rerun } = both(dir);
    expect([check.code, rerun.code]).toEqual([0, 0]);
    expect(rerun.stdout).toMatch(/^Nothing to do/);
  });
});

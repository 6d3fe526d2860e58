import { describe, expect, it } from "vitest";
import { runCommand } from "../../src/commands.js";
import { execProgram, type Deps } from "../../src/deps.js";
import { PATHS } from "../../src/render/index.js";
import { runCli } from "../support/cli.js";
import { makeRepo } from "../support/repo.js";
import { commitAll, edit, quietDeps, read, upgrade, write } from "../upgrade/support.js";

async function setUp(): Promise<string> {
  const dir = makeRepo("example");
  expect((await upgrade(dir)).exitCode).toBe(0);
  commitAll(dir, "relay-security");
  return dir;
}

/** Trivy and every other tool left out (PATH holds only git), so the test is about the per-repo verdicts. */
const env = { PATH: "/usr/bin:/bin" };

describe("check DIR...: many repositories in one process (issue 19)", () => {
  it("each repository gets its own verdict, and the exit code is the worst of them", async () => {
    const clean = await setUp();
    const drifted = await setUp();
    write(drifted, PATHS.ci, edit(read(drifted, PATHS.ci), "          exit-code: '1'\n", "          exit-code: '0'\n"));
    const bare = makeRepo("example");

    const two = runCli(["check", clean, drifted], { env, timeoutMs: 120_000 });
    expect(two.stderr).toBe("");
    expect(two.code).toBe(1);
    const sections = two.stdout.split(/^== /m).slice(1);
    expect(sections).toHaveLength(2);
    expect(sections[0]).toMatch(new RegExp(`^${clean} \\(exit 0\\)\\nNo drift`));
    expect(sections[1]).toMatch(new RegExp(`^${drifted} \\(exit 1\\)\\nDrift in 1 file\\(s\\)`));
    expect(sections[1]).toContain(PATHS.ci);
    expect(two.stdout.trimEnd().split("\n").at(-1)).toBe(
      "Checked 2 repositories: 1 clean (exit 0), 1 with drift, conflicts or findings (exit 1), 0 could not be checked (exit 2).",
    );

    // One that was never set up is its own exit 2; the others are still checked.
    const three = runCli(["check", "--json", bare, clean, drifted], { env, timeoutMs: 120_000 });
    expect(three.code).toBe(2);
    const report = JSON.parse(three.stdout) as { command: string; exitCode: number; repositories: { dir: string; exitCode: number; drift?: { path: string }[]; error?: { message: string } }[] };
    expect(report.command).toBe("check");
    expect(report.exitCode).toBe(2);
    expect(report.repositories.map((r) => [r.dir, r.exitCode])).toEqual([[bare, 2], [clean, 0], [drifted, 1]]);
    expect(report.repositories[0]?.error?.message).toMatch(/relay-security\.json: not found/);
    expect(report.repositories[2]?.drift?.map((d) => d.path)).toEqual([PATHS.ci]);

    // --quiet: only the summary, which says why the exit code is what it is.
    const quiet = runCli(["check", "-q", clean, bare], { env, timeoutMs: 120_000 });
    expect(quiet.code).toBe(2);
    expect(quiet.stdout).toBe("Checked 2 repositories: 1 clean (exit 0), 0 with drift, conflicts or findings (exit 1), 1 could not be checked (exit 2).\n");
  }, 300_000);

  it("validate still takes one directory at most", () => {
    const r = runCli(["validate", "a", "b"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/one directory at most/);
  });
});

describe("check never downloads Trivy's database (issue 19)", () => {
  /** Every Trivy command line, with a Trivy that scans clean. */
  function recordingTrivy() {
    const calls: string[][] = [];
    const exec: Deps["exec"] = async (file, args, opts) => {
      if (file === "git") return execProgram(file, args, opts);
      if (file !== "trivy") return { exitCode: -1, stdout: "", stderr: "", failed: `spawn ${file} ENOENT` };
      calls.push(args);
      if (args[0] === "--version") return { exitCode: 0, stdout: "Version: 0.74.0\n", stderr: "" };
      return { exitCode: 0, stdout: JSON.stringify({ SchemaVersion: 2, Results: [] }), stderr: "" };
    };
    return { exec, calls };
  }

  it("check (without --offline) previews with the cached database only; validate downloads", async () => {
    const dir = await setUp();
    const viaCheck = recordingTrivy();
    await runCommand("check", { dir, json: true, offline: false }, { ...quietDeps(), exec: viaCheck.exec });
    const scans = viaCheck.calls.filter((a) => a[0] === "image" || a[0] === "fs");
    expect(scans.length).toBeGreaterThan(0);
    for (const args of scans) expect(args).toEqual(expect.arrayContaining(["--skip-db-update", "--skip-java-db-update", "--offline-scan"]));
    const config = viaCheck.calls.filter((a) => a[0] === "config");
    expect(config).toHaveLength(1);
    expect(config[0]).toContain("--skip-check-update");

    const viaValidate = recordingTrivy();
    await runCommand("validate", { dir, json: true, offline: false }, { ...quietDeps(), exec: viaValidate.exec });
    for (const args of viaValidate.calls.filter((a) => a[0] === "image" || a[0] === "fs")) expect(args).not.toContain("--skip-db-update");
  }, 120_000);
});

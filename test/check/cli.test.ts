import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PATHS } from "../../src/render/index.js";
import { runCli } from "../support/cli.js";
import { makeRepo, ROOT } from "../support/repo.js";
import { commitAll, edit, read, write } from "../upgrade/support.js";

/** A repository set up by the built CLI, committed. */
function setUp(): string {
  const dir = makeRepo("example");
  expect(runCli(["--yes", dir]).code).toBe(0);
  commitAll(dir, "relay-security");
  return dir;
}

describe("relay-security check, the built CLI", () => {
  it("`check DIR` (check as the first positional, as `npx create-relay-security@X check` passes it): clean, exit 0", () => {
    const dir = setUp();
    const r = runCli(["check", dir, "--offline"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^No drift: re-running create-relay-security with the recorded answers would change nothing\./);
    expect(r.code).toBe(0);
  });

  it("drift: exit 1 with the diff; --json carries the same", () => {
    const dir = setUp();
    write(dir, PATHS.ci, edit(read(dir, PATHS.ci), "          severity: CRITICAL,HIGH\n", "          severity: CRITICAL\n"));
    const r = runCli(["check", "--offline", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^-\s+severity: CRITICAL$/m);
    expect(r.stdout).toMatch(/^\+\s+severity: CRITICAL,HIGH$/m);
    const j = runCli(["check", "--offline", "--json", dir]);
    expect(j.code).toBe(1);
    const report = JSON.parse(j.stdout) as { exitCode: number; drift: { path: string; diff: string }[] };
    expect(report.exitCode).toBe(1);
    expect(report.drift.map((d) => d.path)).toEqual([PATHS.ci]);
    expect(report.drift[0]?.diff).toContain("+          severity: CRITICAL,HIGH");
  });

  it("bad input, exit 2: no state file, an unknown flag, two directories neither set up", () => {
    const dir = setUp();
    rmSync(join(dir, PATHS.state));
    const none = runCli(["check", dir]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/relay-security\.json: not found; this repository was not set up by relay-security/);
    const flag = runCli(["check", "--bogus", dir]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Unknown option '--bogus'/);
    // `check DIR...` takes many (test/check/many.test.ts); each one not set up is its own exit 2.
    const two = runCli(["check", dir, dir]);
    expect(two.code).toBe(2);
    expect(two.stdout).toMatch(/relay-security\.json: not found[\s\S]*0 clean \(exit 0\), 0 with drift, conflicts or findings \(exit 1\), 2 could not be checked \(exit 2\)\.\n$/);
  });

  // `npx create-relay-security@X check` runs the bin named like the package with `check` first; from a
  // tarball npx needs --package for the same thing (a bare path is taken for a command).
  it("`npx --yes --package <the packed package> create-relay-security check` runs check (the README's CI snippet)", () => {
    const work = mkdtempSync(join(tmpdir(), "relay-npx-"));
    execFileSync("npm", ["pack", "--pack-destination", work, "--silent"], { cwd: ROOT, encoding: "utf8" });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz")) as string;
    const dir = setUp();
    const r = spawnSync("npx", ["--yes", `--package=${join(work, tarball)}`, "create-relay-security", "check", "--offline"], { cwd: dir, encoding: "utf8", env: { ...process.env, CI: "true" }, timeout: 120_000 });
    expect(r.stdout).toMatch(/^No drift/);
    expect(r.status).toBe(0);
  });
});

import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCommand } from "../../src/commands.js";
import { PATHS } from "../../src/render/index.js";
import { VERSION } from "../../src/version.js";
import { makeRepo, snapshot } from "../support/repo.js";
import { OVERLAPPING, USER_EDITS } from "../upgrade/edits.js";
import { commitAll, edit, OLD_VERSION, quietDeps, read, setupPreviousRelease, upgrade, write } from "../upgrade/support.js";

/** `relay-security check DIR` in process (the CLI adapter is tested in cli.test.ts). */
const check = (dir: string, json = false, allWorkflows = false) => runCommand("check", { dir, json, offline: true, allWorkflows }, quietDeps());

async function setUp(): Promise<string> {
  const dir = makeRepo("example");
  expect((await upgrade(dir)).exitCode).toBe(0);
  commitAll(dir, "relay-security");
  return dir;
}

interface Report {
  exitCode: number;
  version: string;
  stateVersion: string;
  drift: { path: string; action: string; reason: string; diff: string }[];
  edited: { path: string; added: number; removed: number }[];
  deleted: string[];
  findings: { file: string; line?: number; rule: string; severity: string; message: string }[];
}
const asJson = async (dir: string, allWorkflows = false) => JSON.parse((await check(dir, true, allWorkflows)).output) as Report;
const errors = (r: Report) => r.findings.filter((f) => f.severity === "error");

describe("relay-security check: would a re-run with the recorded answers change anything?", () => {
  it("clean: exit 0, and check reads nothing but writes nothing", async () => {
    const dir = await setUp();
    const before = snapshot(dir);
    const { exitCode, output } = await check(dir);
    expect(output).toMatch(/^No drift: re-running create-relay-security with the recorded answers would change nothing\./);
    expect(exitCode).toBe(0);
    expect(snapshot(dir)).toEqual(before);
  });

  it("the user's own edits to a managed file are not drift (an upgrade keeps them); they are listed", async () => {
    const dir = await setUp();
    for (const [path, change] of Object.entries(USER_EDITS)) write(dir, path, change(read(dir, path)));
    const { exitCode, output } = await check(dir);
    expect(exitCode).toBe(0);
    expect(output).toContain("Your edits, which upgrades keep (not drift):");
    expect(output).toMatch(/\.github\/workflows\/security-scan\.yml {2}\+5 -0 against what relay-security generated/);
    const r = await asJson(dir);
    expect(r.drift).toEqual([]);
    expect(r.edited.map((e) => e.path).sort()).toEqual([PATHS.trivyignore, PATHS.securityScan, PATHS.renovate].sort());
  });

  it("edits merged by an upgrade are not drift either", async () => {
    const dir = makeRepo("example");
    await setupPreviousRelease(dir);
    for (const [path, change] of Object.entries(USER_EDITS)) write(dir, path, change(read(dir, path)));
    commitAll(dir, "edits");
    expect((await upgrade(dir)).exitCode).toBe(0);
    expect((await check(dir)).exitCode).toBe(0);
  });

  it("drift: our gate step in ci.yml edited by hand; exit 1 with the diff", async () => {
    const dir = await setUp();
    write(dir, PATHS.ci, edit(read(dir, PATHS.ci), "          exit-code: '1'\n", "          exit-code: '0'\n"));
    const { exitCode, output } = await check(dir);
    expect(exitCode).toBe(1);
    expect(output).toMatch(/^Drift in 1 file\(s\)/);
    expect(output).toContain(".github/workflows/ci.yml: edited step (your edits to the relay-security step kept; nothing new from us; the step is the policy this repository promises: `npx create-relay-security --yes --on-conflict theirs` puts relay-security's step back");
    expect(output).toMatch(/^- {10}exit-code: '0'\n\+ {10}exit-code: '1'$/m);
  });

  it("drift: the pins changed (set up by the previous release, checked by this one); the versions are named", async () => {
    const dir = makeRepo("example");
    await setupPreviousRelease(dir);
    const { exitCode, output } = await check(dir);
    expect(exitCode).toBe(1);
    expect(output).toContain(`The state file was written by create-relay-security ${OLD_VERSION}; this is ${VERSION}.`);
    expect(output).toMatch(/^-        uses: aquasecurity\/trivy-action@57a97c7e7821a5776cebc9bb87c984fa69cba8f1 # v0\.35\.0$/m);
    expect(output).toMatch(/^\+        uses: aquasecurity\/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25 # v0\.36\.0$/m);
    const r = await asJson(dir);
    expect(r.stateVersion).toBe(OLD_VERSION);
    // relay-security-check.yml pins the version that runs check, so another version's render differs there too.
    expect(r.drift.map((d) => d.path).sort()).toEqual([PATHS.ci, PATHS.securityScan, PATHS.checkWorkflow, PATHS.trivyignore, PATHS.renovate, PATHS.docs, PATHS.securityDb].sort());
  });

  it("drift and invalid: a managed file re-pinned to a tag by hand", async () => {
    const dir = await setUp();
    write(dir, PATHS.ci, edit(read(dir, PATHS.ci), "aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25 # v0.36.0", "aquasecurity/trivy-action@v0.36.0"));
    const r = await asJson(dir);
    expect(r.exitCode).toBe(1);
    expect(r.drift.map((d) => d.path)).toEqual([PATHS.ci]);
    expect(errors(r).some((f) => f.rule === "pins/sha" && f.file === PATHS.ci)).toBe(true);
  });

  it("conflicted: markers left by an upgrade; exit 1 naming the file and the lines", async () => {
    const dir = makeRepo("example");
    await setupPreviousRelease(dir);
    write(dir, PATHS.securityScan, OVERLAPPING(read(dir, PATHS.securityScan)));
    commitAll(dir, "edit");
    expect((await upgrade(dir)).exitCode).toBe(1);
    const lines = read(dir, PATHS.securityScan).split("\n").flatMap((l, i) => (/^(<{7}|\|{7}|={7}|>{7})/.test(l) ? [i + 1] : []));
    expect(lines).toHaveLength(4);
    const { exitCode, output } = await check(dir);
    expect(exitCode).toBe(1);
    expect(output).toContain(`Conflict markers left by an upgrade in ${PATHS.securityScan} at line ${lines.join(", ")}: resolve them and commit.`);
    const r = await asJson(dir);
    expect(r.findings.filter((f) => f.rule === "conflict-marker").map((f) => `${f.file}:${f.line}`)).toEqual(lines.map((l) => `${PATHS.securityScan}:${l}`));
    expect(r.drift.map((d) => d.path)).not.toContain(PATHS.securityScan); // reported once, with its lines
  });

  it("invalid: an ignore entry without WHY; exit 1", async () => {
    const dir = await setUp();
    write(dir, PATHS.trivyignore, `${read(dir, PATHS.trivyignore)}\nCVE-2026-22222\n`);
    const r = await asJson(dir);
    expect(r.exitCode).toBe(1);
    expect(r.drift).toEqual([]);
    expect(errors(r).some((f) => f.file === PATHS.trivyignore && /WHY/.test(f.message))).toBe(true);
  });

  it("a tag-pinned action in a workflow we never touched: not judged by default, exit 1 with --all-workflows (issue 10)", async () => {
    const dir = await setUp();
    write(dir, ".github/workflows/lint.yml", "on: pull_request\npermissions: {}\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n");
    const narrow = await asJson(dir);
    expect(narrow.exitCode).toBe(0);
    expect(narrow.findings.filter((f) => f.file === ".github/workflows/lint.yml").map((f) => f.rule)).toEqual(["scope"]);
    const wide = await asJson(dir, true);
    expect(wide.exitCode).toBe(1);
    expect(errors(wide).some((f) => f.file === ".github/workflows/lint.yml" && f.rule === "pins/sha")).toBe(true);
  });

  it("a managed file the user deleted is not drift (upgrades leave it deleted); it is said", async () => {
    const dir = await setUp();
    rmSync(join(dir, PATHS.trivyignore));
    const { exitCode, output } = await check(dir);
    expect(exitCode).toBe(0);
    expect(output).toContain(".trivyignore: deleted by you; upgrades leave it deleted (--restore brings it back). Not drift.");
    expect((await asJson(dir)).deleted).toEqual([PATHS.trivyignore]);
  });

  it("--json: stable keys a script can rely on", async () => {
    const dir = await setUp();
    const r = await asJson(dir);
    expect(Object.keys(r)).toEqual(["schemaVersion", "version", "command", "exitCode", "error", "stateVersion", "drift", "edited", "deleted", "findings"]);
    expect(r).toMatchObject({ exitCode: 0, version: VERSION, stateVersion: VERSION, drift: [], edited: [], deleted: [] });
  });
});

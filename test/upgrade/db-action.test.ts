import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCommand } from "../../src/commands.js";
import { PATHS } from "../../src/render/index.js";
import { renderInitReport } from "../../src/report/init.js";
import { makeRepo } from "../support/repo.js";
import { commitAll, quietDeps, read, upgrade, write } from "./support.js";

/**
 * Our composite action (.github/actions/relay-security-db/action.yml) is an owned file like the
 * workflows: written, recorded in the state, merged with the user's edits on upgrade, checked for drift.
 */
const CI = ".github/workflows/ci.yml";
const OLD_CI = readFileSync(fileURLToPath(new URL("../fixtures/upgrade/gate-150-lines/ci.yml", import.meta.url)), "utf8");
const stateOf = (dir: string) => JSON.parse(read(dir, PATHS.state)) as { files: Record<string, { generated: string }> };
const check = async (dir: string) =>
  JSON.parse((await runCommand("check", { dir, json: true, offline: true }, quietDeps())).output) as { exitCode: number; drift: { path: string }[]; edited: { path: string }[]; deleted: string[] };
type Steps = { id?: string; uses?: string }[];
const gateSteps = (text: string) => (parse(text) as { jobs: Record<string, { steps: Steps }> }).jobs["build"]?.steps ?? [];

describe("the database action as an owned file", () => {
  it("a set-up writes it, records it, names it in the git add line; the gate calls it", async () => {
    const dir = makeRepo("example");
    const { exitCode, report } = await upgrade(dir);
    expect(exitCode).toBe(0);
    const action = read(dir, PATHS.dbAction);
    expect(action).toMatch(/^# Managed by relay-security/);
    expect((parse(action) as { runs: { using: string } }).runs.using).toBe("composite");
    expect(stateOf(dir).files[PATHS.dbAction]?.generated).toBe(action);
    expect(report.written).toContain(PATHS.dbAction);
    expect(renderInitReport(report)).toMatch(new RegExp(`git add [^\\n]*${PATHS.dbAction.replace(/\./g, "\\.")}`));
    expect(gateSteps(read(dir, CI)).filter((s) => s.uses === "./.github/actions/relay-security-db").map((s) => s.id)).toEqual(["relay-security-db"]);
  });

  it("without an image scan there is no database, so no action", async () => {
    const dir = makeRepo("example");
    expect((await upgrade(dir, { flags: { imageScan: false } })).exitCode).toBe(0);
    expect(() => read(dir, PATHS.dbAction)).toThrow();
    expect(stateOf(dir).files[PATHS.dbAction]).toBeUndefined();
  });

  it("an upgrade from the 150-line gate replaces it with the action call and the scan, and writes the action", async () => {
    const dir = makeRepo("example", { files: { [CI]: OLD_CI } });
    const { exitCode } = await upgrade(dir);
    expect(exitCode).toBe(0);
    const ci = read(dir, CI);
    const ids = gateSteps(ci).map((s) => s.id).filter(Boolean);
    expect(ids).toEqual(["relay-security-db", "relay-security-scan"]);
    expect(ci).not.toMatch(/relay-security-no-db|relay-security-db-cache|retry_download/);
    // Only our block changed: the user's lines before it are byte for byte the same.
    const head = OLD_CI.slice(0, OLD_CI.indexOf("      # Added by relay-security"));
    expect(ci.startsWith(head)).toBe(true);
    expect(ci.split("\n").length).toBeLessThan(OLD_CI.split("\n").length - 100);
    expect(read(dir, PATHS.dbAction)).toMatch(/^# Managed by relay-security/);
    commitAll(dir, "upgrade");
    expect((await upgrade(dir)).report.written).toEqual([]);
  });

  it("the user's edit of the action survives an upgrade that changes it; check lists it as an edit, not drift", async () => {
    const dir = makeRepo("example");
    await upgrade(dir);
    commitAll(dir, "set up");
    const ours = read(dir, PATHS.dbAction);
    const edited = ours.replace("    default: 30 90\n", "    # Ours: our registry mirror is quick to recover.\n    default: 10 20\n");
    expect(edited).not.toBe(ours);
    write(dir, PATHS.dbAction, edited);
    commitAll(dir, "shorter retries");
    const { exitCode, report } = await upgrade(dir, { flags: { dbRepository: "mirror.example.com/aquasec/trivy-db:2" } });
    expect(exitCode).toBe(0);
    const merged = read(dir, PATHS.dbAction);
    expect(merged).toContain("    # Ours: our registry mirror is quick to recover.\n    default: 10 20\n");
    expect(merged).toContain("default: 'mirror.example.com/aquasec/trivy-db:2'");
    expect(report.plan.changes.find((c) => c.path === PATHS.dbAction)?.reason).toMatch(/merged the new version with your edits/);
    commitAll(dir, "upgrade");
    const r = await check(dir);
    expect(r.exitCode).toBe(0);
    expect(r.drift).toEqual([]);
    expect(r.edited.map((e) => e.path)).toContain(PATHS.dbAction);
  });

  it("validate checks the action's own pins (a tag there is an error on that file)", async () => {
    const dir = makeRepo("example");
    await upgrade(dir);
    commitAll(dir, "set up");
    const validate = async () =>
      JSON.parse((await runCommand("validate", { dir, json: true, offline: true }, quietDeps())).output) as { exitCode: number; findings: { file: string; rule: string; severity: string }[] };
    expect((await validate()).findings.filter((f) => f.file === PATHS.dbAction && f.severity === "error")).toEqual([]);
    write(dir, PATHS.dbAction, read(dir, PATHS.dbAction).replace(/uses: actions\/cache\/restore@[0-9a-f]{40} # v[\d.]+/, "uses: actions/cache/restore@v5"));
    const after = await validate();
    expect(after.exitCode).toBe(1);
    expect(after.findings.filter((f) => f.file === PATHS.dbAction && f.severity === "error").map((f) => f.rule)).toContain("pins/sha");
  });

  it("deleted by hand: check calls it drift (the gate cannot run without it) and a re-run writes it again", async () => {
    const dir = makeRepo("example");
    await upgrade(dir);
    commitAll(dir, "set up");
    expect((await check(dir)).exitCode).toBe(0);
    const ours = read(dir, PATHS.dbAction);
    rmSync(join(dir, PATHS.dbAction));
    commitAll(dir, "no action");
    const r = await check(dir);
    expect(r.exitCode).toBe(1);
    expect(r.drift.map((d) => d.path)).toEqual([PATHS.dbAction]);
    expect(r.deleted).toEqual([]);
    const again = await upgrade(dir);
    expect(again.report.plan.changes.find((c) => c.path === PATHS.dbAction)?.reason).toMatch(/^written again: you deleted it, but the gate/);
    expect(read(dir, PATHS.dbAction)).toBe(ours);
    // Another owned file deleted stays deleted, as before (the control).
    rmSync(join(dir, PATHS.docs));
    commitAll(dir, "no page");
    expect((await check(dir)).deleted).toEqual([PATHS.docs]);
  });
});

import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { RawAnswers } from "../../src/answers/resolve.js";
import { PATHS } from "../../src/render/index.js";
import { renderInitReport } from "../../src/report/init.js";
import { VERSION } from "../../src/version.js";
import { makeRepo, snapshot } from "../support/repo.js";
import { CONFLICT_BLOCK, OVERLAPPING, USER_EDITS, USER_LINES } from "./edits.js";
import { commitAll, OLD_VERSION, read, setupPreviousRelease, upgrade, write } from "./support.js";

const MANAGED = [PATHS.securityScan, PATHS.trivyignore, PATHS.renovate];
const NOT_OURS = ["go.mod", "main.go", "main_test.go", "Dockerfile"];

/** Today's render for these answers: a fresh set-up of the same example, file by file. */
const fresh = new Map<string, Map<string, string>>();
async function freshRender(flags: RawAnswers = {}): Promise<Map<string, string>> {
  const key = JSON.stringify(flags);
  if (!fresh.has(key)) {
    const dir = makeRepo("example");
    const { exitCode } = await upgrade(dir, { flags });
    expect(exitCode).toBe(0);
    fresh.set(key, snapshot(dir));
  }
  return fresh.get(key) as Map<string, string>;
}

/** A repository set up by the previous release, with `edits` made and committed by its maintainer. */
async function previous(edits: Record<string, (t: string) => string> = {}, flags: RawAnswers = {}): Promise<string> {
  const dir = makeRepo("example");
  await setupPreviousRelease(dir, flags);
  for (const [path, change] of Object.entries(edits)) write(dir, path, change(read(dir, path)));
  commitAll(dir, "maintainer edits");
  return dir;
}

const stateOf = (dir: string) => JSON.parse(read(dir, PATHS.state)) as { version: string; answers: Record<string, unknown>; files: Record<string, { generated: string }> };

describe("upgrade from the previous release", () => {
  it("replaces untouched files with today's render, the gate step in place, and touches nothing else", async () => {
    const dir = await previous();
    const before = snapshot(dir);
    const { exitCode, report } = await upgrade(dir);
    expect(exitCode).toBe(0);
    const after = snapshot(dir);
    const want = await freshRender();
    for (const path of [...MANAGED, PATHS.ci]) expect(after.get(path), path).toBe(want.get(path));
    for (const path of NOT_OURS) expect(after.get(path), path).toBe(before.get(path));
    expect(report.plan.changes.find((c) => c.path === PATHS.securityScan)?.reason).toMatch(/not edited since the last run; replaced/);
    expect(report.plan.changes.find((c) => c.path === PATHS.ci)?.reason).toMatch(/updated the Trivy step in job build in place/);
    const state = stateOf(dir);
    expect(state.version).toBe(VERSION);
    for (const path of MANAGED) expect(state.files[path]?.generated, path).toBe(want.get(path));
  });

  it("keeps the user's edits that do not overlap ours: the result is today's render with the same edits", async () => {
    const dir = await previous(USER_EDITS);
    const { exitCode, report } = await upgrade(dir);
    expect(renderInitReport(report)).not.toMatch(/Conflicts/);
    expect(exitCode).toBe(0);
    const want = await freshRender();
    for (const path of MANAGED) {
      const text = read(dir, path);
      expect(text, path).toBe(USER_EDITS[path]?.(want.get(path) ?? ""));
      for (const line of USER_LINES[path] ?? []) expect(text.split("\n"), path).toContain(line);
      expect(report.plan.changes.find((c) => c.path === path)?.reason, path).toMatch(/merged the new version with your edits/);
    }
    expect(() => parse(read(dir, PATHS.securityScan))).not.toThrow();
    expect(() => JSON.parse(read(dir, PATHS.renovate))).not.toThrow();
    // The state keeps today's render as the next merge base, not the merged text.
    for (const path of MANAGED) expect(stateOf(dir).files[path]?.generated, path).toBe(want.get(path));
  });

  it("changed answers (--schedule weekly --severity CRITICAL) flow through the same merge, the gate included", async () => {
    const dir = await previous(USER_EDITS);
    const flags = { schedule: "weekly", severity: "CRITICAL" };
    const { exitCode } = await upgrade(dir, { flags });
    expect(exitCode).toBe(0);
    const want = await freshRender(flags);
    for (const path of MANAGED) expect(read(dir, path), path).toBe(USER_EDITS[path]?.(want.get(path) ?? ""));
    expect(read(dir, PATHS.securityScan)).toMatch(/cron: '\d+ \d+ \* \* 1'/);
    expect(read(dir, PATHS.ci)).toBe(want.get(PATHS.ci));
    expect(read(dir, PATHS.ci)).toContain("          severity: CRITICAL\n");
    expect(stateOf(dir).answers).toMatchObject(flags);
  });

  it("a second upgrade changes no byte and says so", async () => {
    const dir = await previous(USER_EDITS);
    expect((await upgrade(dir)).exitCode).toBe(0);
    commitAll(dir, "upgrade");
    const once = snapshot(dir);
    const { exitCode, report } = await upgrade(dir);
    expect(exitCode).toBe(0);
    expect(renderInitReport(report)).toMatch(/^Nothing to do/);
    expect(report.written).toEqual([]);
    expect(snapshot(dir)).toEqual(once);
  });

  it("replaces the gate step in place: every other byte of the user's ci.yml stays", async () => {
    const dir = await previous({
      [PATHS.ci]: (t) => `# CI for hello-service; ask #platform.\n${t}\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo lint\n`,
    });
    const before = read(dir, PATHS.ci);
    expect((await upgrade(dir)).exitCode).toBe(0);
    const after = read(dir, PATHS.ci);
    const step = (t: string) => /\n( +# Added by relay-security[^]*?exit-code: '1'\n)/.exec(t)?.[1] ?? "";
    expect(step(before)).toContain("57a97c7e7821a5776cebc9bb87c984fa69cba8f1 # v0.35.0");
    expect(step(after)).toContain("ed142fd0673e97e23eac54620cfb913e5ce36c25 # v0.36.0");
    expect(after.replace(step(after), "<step>")).toBe(before.replace(step(before), "<step>"));
  });
});

describe("edits that overlap ours", () => {
  const overlapping = { ...USER_EDITS, [PATHS.securityScan]: (t: string) => OVERLAPPING(USER_EDITS[PATHS.securityScan]?.(t) ?? t) };

  it("markers (default): diff3 markers where they overlap, the rest merged, the file listed, exit 1", async () => {
    const dir = await previous(overlapping);
    const { exitCode, report } = await upgrade(dir);
    expect(exitCode).toBe(1);
    const text = read(dir, PATHS.securityScan);
    expect(text).toContain(CONFLICT_BLOCK);
    expect(text).toContain("actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1"); // our other hunks merged
    for (const line of USER_LINES[PATHS.securityScan] ?? []) expect(text.split("\n")).toContain(line);
    expect(renderInitReport(report)).toMatch(/Conflicts in \.github\/workflows\/security-scan\.yml: your edits and ours overlap in 1 place/);
    // Files without overlap were merged as usual.
    expect(read(dir, PATHS.trivyignore)).toContain("CVE-2026-11111 exp:2027-01-31");
  });

  it("a re-run with the markers still there leaves the file alone and says where they are; resolved, it is done", async () => {
    const dir = await previous(overlapping);
    await upgrade(dir);
    commitAll(dir, "upgrade with conflicts");
    const marked = snapshot(dir);
    const again = await upgrade(dir);
    expect(again.exitCode).toBe(1);
    expect(again.report.plan.changes.find((c) => c.path === PATHS.securityScan)?.reason).toMatch(/still has conflict markers .*line \d+, \d+, \d+, \d+/);
    expect(snapshot(dir)).toEqual(marked);

    write(dir, PATHS.securityScan, read(dir, PATHS.securityScan).replace(`${CONFLICT_BLOCK}\n`, "          retention-days: 3\n"));
    commitAll(dir, "resolved");
    const resolved = snapshot(dir);
    const done = await upgrade(dir);
    expect(done.exitCode).toBe(0);
    expect(renderInitReport(done.report)).toMatch(/^Nothing to do/);
    expect(snapshot(dir)).toEqual(resolved);
  });

  it("--on-conflict fail: nothing at all is written, exit 1, the conflict listed", async () => {
    const dir = await previous(overlapping);
    const before = snapshot(dir);
    const { exitCode, report } = await upgrade(dir, { onConflict: "fail" });
    expect(exitCode).toBe(1);
    expect(report.written).toEqual([]);
    expect(snapshot(dir)).toEqual(before);
    const out = renderInitReport(report);
    expect(out).toMatch(/CONFLICT +\.github\/workflows\/security-scan\.yml/);
    expect(out).toMatch(/--on-conflict fail: a file conflicts, so nothing was written/);
  });

  it("--on-conflict ours / theirs: no markers, the overlap resolved to one side, everything else merged, exit 0", async () => {
    for (const [strategy, kept] of [["ours", "3"], ["theirs", "7"]] as const) {
      const dir = await previous(overlapping);
      const { exitCode, report } = await upgrade(dir, { onConflict: strategy });
      expect(exitCode, strategy).toBe(0);
      const text = read(dir, PATHS.securityScan);
      expect(text).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
      expect(text).toContain(`relay-security-results-trivy-image\n          path: relay-security-results\n          retention-days: ${kept}\n`);
      expect(text).toContain("# v7.0.1");
      for (const line of USER_LINES[PATHS.securityScan] ?? []) expect(text.split("\n")).toContain(line);
      expect(report.plan.changes.find((c) => c.path === PATHS.securityScan)?.reason).toContain(`resolved with --on-conflict ${strategy}`);
    }
  });
});

describe("deleted files, dirty files, newer state", () => {
  it("a managed file the user deleted is not recreated (the plan says so); --restore brings it back", async () => {
    const dir = await previous();
    rmSync(join(dir, PATHS.trivyignore));
    commitAll(dir, "we do not want an ignore file");
    const { exitCode, report } = await upgrade(dir);
    expect(exitCode).toBe(0);
    expect(existsSync(join(dir, PATHS.trivyignore))).toBe(false);
    const skip = report.plan.changes.find((c) => c.path === PATHS.trivyignore);
    expect(skip?.action).toBe("skip");
    expect(renderInitReport(report)).toMatch(/skip +\.trivyignore +you deleted it after an earlier run; left deleted \(--restore brings it back\)/);
    commitAll(dir, "upgrade");

    const restored = await upgrade(dir, { restore: true });
    expect(restored.exitCode).toBe(0);
    expect(read(dir, PATHS.trivyignore)).toBe((await freshRender()).get(PATHS.trivyignore));
  });

  it("refuses files with uncommitted edits, naming them, unless --allow-dirty", async () => {
    const dir = await previous();
    const edited = USER_EDITS[PATHS.securityScan]?.(read(dir, PATHS.securityScan)) ?? "";
    write(dir, PATHS.securityScan, edited);
    const before = snapshot(dir);
    await expect(upgrade(dir)).rejects.toThrow(/uncommitted changes in files this would change: \.github\/workflows\/security-scan\.yml; .*--allow-dirty/);
    expect(snapshot(dir)).toEqual(before);
    const { exitCode } = await upgrade(dir, { allowDirty: true });
    expect(exitCode).toBe(0);
    for (const line of USER_LINES[PATHS.securityScan] ?? []) expect(read(dir, PATHS.securityScan).split("\n")).toContain(line);
  });

  it("refuses a state file written by a newer version, writing nothing", async () => {
    const dir = await previous();
    const state = JSON.parse(read(dir, PATHS.state)) as { version: string };
    state.version = "99.0.0";
    writeFileSync(join(dir, PATHS.state), JSON.stringify(state));
    commitAll(dir);
    const before = snapshot(dir);
    await expect(upgrade(dir)).rejects.toThrow(/99\.0\.0, newer than this .*instead of downgrading/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("the previous release really is older: its state and files name it", async () => {
    const dir = await previous();
    expect(stateOf(dir).version).toBe(OLD_VERSION);
    expect(read(dir, PATHS.securityScan)).toContain(`create-relay-security ${OLD_VERSION}`);
  });
});

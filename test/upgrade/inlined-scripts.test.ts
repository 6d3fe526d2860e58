import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PATHS } from "../../src/render/index.js";
import { SCRIPTS_DIR } from "../../src/render/scripts.js";
import { VERSION } from "../../src/version.js";
import { runCli } from "../support/cli.js";
import { makeRepo, snapshot } from "../support/repo.js";
import { commitAll, edit, OLD_VERSION, read, setupPreviousRelease, upgrade, write } from "./support.js";

/**
 * Issue 10: the previous release inlined the steps' scripts into security-scan.yml (1,095 lines for the
 * example). `inlined-scripts/security-scan.yml` is that release's render for examples/hello-service,
 * byte for byte; an upgrade must give today's layout (the scripts as files) and keep the maintainer's edit.
 */
const INLINED = readFileSync(new URL("../fixtures/upgrade/inlined-scripts/security-scan.yml", import.meta.url), "utf8").replaceAll(
  `create-relay-security ${VERSION}`,
  `create-relay-security ${OLD_VERSION}`,
);

const stateOf = (dir: string) => JSON.parse(read(dir, PATHS.state)) as { version: string; files: Record<string, { generated: string }> };
const scriptsIn = (files: Iterable<string>) => [...files].filter((p) => p.startsWith(`${SCRIPTS_DIR}/`)).sort();

/** The maintainer's edit: their govulncheck job runs on a pinned runner image. */
const pinRunner = (text: string) => edit(text, "    name: Go vulnerabilities (govulncheck)\n    runs-on: ubuntu-latest\n", "    name: Go vulnerabilities (govulncheck)\n    runs-on: ubuntu-24.04\n");

/** A repository the previous release set up (scripts inlined), then the maintainer's edit, committed. */
async function inlinedRelease(): Promise<string> {
  const dir = makeRepo("example");
  await setupPreviousRelease(dir, {}, { commit: false });
  // What that release wrote and recorded: the inlined workflow, and no script files.
  const state = stateOf(dir);
  for (const path of scriptsIn(Object.keys(state.files))) {
    rmSync(join(dir, path));
    delete state.files[path];
  }
  rmSync(join(dir, SCRIPTS_DIR), { recursive: true });
  state.files[PATHS.securityScan] = { generated: INLINED };
  write(dir, PATHS.state, `${JSON.stringify(state, null, 2)}\n`);
  write(dir, PATHS.securityScan, INLINED);
  commitAll(dir, "relay-security 0.0.9");
  write(dir, PATHS.securityScan, pinRunner(INLINED));
  commitAll(dir, "maintainer edits");
  return dir;
}

describe("upgrade from the release that inlined the scripts", () => {
  it("writes the scripts as files, a short workflow that runs them, and keeps the maintainer's edit", async () => {
    const fresh = makeRepo("example");
    expect((await upgrade(fresh)).exitCode).toBe(0);
    const want = snapshot(fresh);

    const dir = await inlinedRelease();
    expect(INLINED.split("\n").length).toBeGreaterThan(1000);
    const { exitCode, report } = await upgrade(dir);
    expect(exitCode).toBe(0);
    const after = snapshot(dir);

    // The new layout: every script the fresh set-up writes, byte for byte, and nothing else in the folder.
    expect(scriptsIn(after.keys())).toEqual(scriptsIn(want.keys()));
    expect(scriptsIn(after.keys()).length).toBeGreaterThanOrEqual(4);
    for (const path of scriptsIn(want.keys())) expect(after.get(path), path).toBe(want.get(path));
    // The workflow: today's render with the maintainer's edit, three-way merged; no script left inline.
    const workflow = after.get(PATHS.securityScan) ?? "";
    expect(workflow).toBe(pinRunner(want.get(PATHS.securityScan) ?? ""));
    expect(report.plan.changes.find((c) => c.path === PATHS.securityScan)?.reason).toMatch(/merged the new version with your edits/);
    // (The database steps, another issue's, still inline theirs: only the moved scripts are looked for.)
    for (const path of scriptsIn(want.keys())) {
      const body = (want.get(path) ?? "").split("\n").slice(4).filter((l) => l.length > 40); // after our 4-line header
      expect(body.length, path).toBeGreaterThan(0);
      for (const line of body.slice(0, 5)) expect(workflow, path).not.toContain(line.trim());
      expect(INLINED, path).toContain(body[0]!.trim());
    }
    expect(workflow.split("\n").length).toBeLessThan(500);
    expect((parse(workflow) as { jobs: { govulncheck: { "runs-on": string } } }).jobs.govulncheck["runs-on"]).toBe("ubuntu-24.04");

    // Recorded for the next upgrade, and listed to commit.
    const state = stateOf(dir);
    for (const path of scriptsIn(want.keys())) expect(state.files[path]?.generated, path).toBe(want.get(path));
    expect(report.written).toEqual(expect.arrayContaining(scriptsIn(want.keys())));
    expect(report.next?.[0]).toContain(`git add ${report.written.join(" ")}`);
    for (const path of scriptsIn(want.keys())) expect(report.next?.[0]).toContain(path);

    // A second run changes no byte; `check` finds no drift, the edit listed as the user's.
    commitAll(dir, "upgrade");
    const second = await upgrade(dir);
    expect(second.exitCode).toBe(0);
    expect(second.report.written).toEqual([]);
    expect(snapshot(dir)).toEqual(after);
    const check = runCli(["check", "--offline", dir]);
    expect(check.stdout).toContain("No drift");
    expect(check.stdout).toMatch(/\.github\/workflows\/security-scan\.yml +\+1 -1 against what relay-security generated/);
    expect(check.code).toBe(0);
  });

  it("a script edited by the maintainer is merged, not replaced; one deleted stays deleted", async () => {
    const dir = makeRepo("example");
    expect((await upgrade(dir)).exitCode).toBe(0);
    commitAll(dir, "set up");
    const lifecycle = `${SCRIPTS_DIR}/issue-lifecycle.sh`;
    write(dir, lifecycle, read(dir, lifecycle).replace("set -euo pipefail\n", "set -euo pipefail\n# ours: see RUNBOOK.md\n"));
    rmSync(join(dir, SCRIPTS_DIR, "scan-meta.sh"));
    commitAll(dir, "maintainer edits");
    const { exitCode, report } = await upgrade(dir, { flags: { schedule: "weekly" } });
    expect(exitCode).toBe(0);
    expect(read(dir, lifecycle)).toContain("# ours: see RUNBOOK.md\n");
    expect(existsSync(join(dir, SCRIPTS_DIR, "scan-meta.sh"))).toBe(false);
    expect(report.plan.changes.find((c) => c.path === `${SCRIPTS_DIR}/scan-meta.sh`)?.action).toBe("skip");
  });

  it("scripts the new answers no longer run are deleted when untouched, kept (with a note) when edited", async () => {
    const dir = makeRepo("example");
    expect((await upgrade(dir)).exitCode).toBe(0);
    commitAll(dir, "set up");
    const trivyDecide = `${SCRIPTS_DIR}/trivy-decide.sh`;
    const lifecycle = `${SCRIPTS_DIR}/issue-lifecycle.sh`;
    write(dir, lifecycle, `${read(dir, lifecycle)}# ours\n`);
    commitAll(dir, "maintainer edits");
    // --scanner grype runs grype-decide.sh; --report code-scanning runs no issue script.
    const { exitCode, report } = await upgrade(dir, { flags: { scanner: "grype", sarif: false } });
    expect(exitCode).toBe(0);
    expect(existsSync(join(dir, trivyDecide))).toBe(false);
    expect(existsSync(join(dir, SCRIPTS_DIR, "grype-decide.sh"))).toBe(true);
    expect(report.plan.changes.find((c) => c.path === trivyDecide)?.action).toBe("delete");
    expect(stateOf(dir).files[trivyDecide]).toBeUndefined();
    commitAll(dir, "grype");
    const cs = await upgrade(dir, { flags: { scanner: "trivy", report: "code-scanning" } });
    expect(cs.exitCode).toBe(0);
    expect(read(dir, lifecycle)).toMatch(/# ours\n$/);
    expect(cs.report.plan.notes.join("\n")).toContain(`${lifecycle}: no longer run by security-scan.yml, and edited by you; left as it is`);
  });
});

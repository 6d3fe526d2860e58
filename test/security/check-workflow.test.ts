/**
 * Issue 13, item 2: the `check` workflow is a file we write and own (.github/workflows/relay-security-check.yml,
 * answer checkWorkflow, default on): pull requests only, this exact version, no install scripts, and a
 * Renovate marker so a newer version arrives as a pull request.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCommand } from "../../src/commands.js";
import { loadPins } from "../../src/pins.js";
import { PATHS, renderCheckWorkflow } from "../../src/render/index.js";
import { MARKER_REGEX, renderRenovateConfig, ruleName } from "../../src/renovate/config.js";
import { VERSION } from "../../src/version.js";
import { viewWith } from "../support/answers.js";
import { actionlint, workflowRepo, zizmor } from "../support/linters.js";
import { makeRepo, ROOT, snapshot } from "../support/repo.js";
import { requireTool } from "../support/tools.js";
import { commitAll, quietDeps, upgrade } from "../upgrade/support.js";

const text = renderCheckWorkflow(viewWith());
type Wf = { on: Record<string, unknown>; permissions: unknown; jobs: { check: { permissions: unknown; steps: { uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown> }[] } } };
const wf = parse(text) as Wf;
const actionlintBin = requireTool("actionlint");
const zizmorBin = requireTool("zizmor");

describe("relay-security-check.yml", () => {
  it("runs on pull requests only, reads only, and checks out without credentials", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(wf.permissions).toEqual({ contents: "read" });
    expect(wf.jobs.check.permissions).toEqual({ contents: "read" });
    const checkout = loadPins().actions["actions/checkout"];
    expect(wf.jobs.check.steps[0]?.uses).toBe(`actions/checkout@${checkout?.sha}`);
    expect(text).toContain(`@${checkout?.sha} # ${checkout?.tag}`);
    expect(wf.jobs.check.steps[0]?.with).toEqual({ "persist-credentials": false });
    expect(text).not.toMatch(/setup-node/);
  });

  it("runs this package at this version, without install scripts", () => {
    const step = wf.jobs.check.steps[1];
    expect(step?.env).toEqual({ RELAY_SECURITY_VERSION: VERSION });
    expect(step?.run).toBe('npx --yes --ignore-scripts "create-relay-security@$RELAY_SECURITY_VERSION" check');
  });

  it("carries a Renovate marker our custom manager reads, and our rule waits 7 days on it", () => {
    const m = new RegExp(MARKER_REGEX).exec(text);
    expect(m?.groups).toMatchObject({ datasource: "npm", depName: "create-relay-security", currentValue: VERSION });
    const rule = renderRenovateConfig({ label: "security", scanner: "trivy" }).packageRules.find((r) => ruleName(r) === "relay-security: relay-security itself");
    expect(rule).toMatchObject({ matchDepNames: ["create-relay-security"], minimumReleaseAge: "7 days" });
  });

  it.skipIf(!actionlintBin || !zizmorBin)("is clean for actionlint and zizmor (pedantic)", () => {
    const dir = workflowRepo({ "relay-security-check.yml": text });
    expect(actionlint(actionlintBin as string, dir)).toEqual([]);
    expect(zizmor(zizmorBin as string, dir)).toEqual([]);
  });

  it("the README describes the file instead of asking users to paste a snippet", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).not.toContain("<!-- check-snippet -->");
    expect(readme).toContain("relay-security-check.yml");
    expect(readme).toContain("--no-check-workflow");
  });
});

describe("a set-up writes it and owns it", () => {
  it("by default: written, recorded in the state file, check passes, a re-run has nothing to do", async () => {
    const dir = makeRepo("example");
    expect((await upgrade(dir)).exitCode).toBe(0);
    expect(readFileSync(join(dir, PATHS.checkWorkflow), "utf8")).toBe(text);
    const state = JSON.parse(readFileSync(join(dir, PATHS.state), "utf8")) as { answers: Record<string, unknown>; files: Record<string, unknown> };
    expect(state.answers["checkWorkflow"]).toBe(true);
    expect(Object.keys(state.files)).toContain(PATHS.checkWorkflow);
    commitAll(dir, "set up");
    const before = snapshot(dir);
    const { exitCode, output } = await runCommand("check", { dir, json: true, offline: true }, quietDeps());
    const report = JSON.parse(output) as { drift: unknown[]; findings: { file: string; severity: string }[] };
    expect(report.drift).toEqual([]);
    expect(report.findings.filter((f) => f.file.includes("relay-security-check.yml") && f.severity === "error")).toEqual([]);
    expect(exitCode).toBe(0);
    const again = await upgrade(dir);
    expect(again.report.plan.changes.every((c) => c.action === "unchanged")).toBe(true);
    expect(snapshot(dir)).toEqual(before);
  });

  it("a Renovate bump of RELAY_SECURITY_VERSION is the user's edit, kept by an upgrade, not drift", async () => {
    const dir = makeRepo("example");
    await upgrade(dir);
    const path = join(dir, PATHS.checkWorkflow);
    const { writeFileSync } = await import("node:fs");
    writeFileSync(path, readFileSync(path, "utf8").replace(`RELAY_SECURITY_VERSION: ${VERSION}`, "RELAY_SECURITY_VERSION: 9.9.9"));
    commitAll(dir, "renovate");
    const { output } = await runCommand("check", { dir, json: true, offline: true }, quietDeps());
    const report = JSON.parse(output) as { drift: { path?: string }[]; edited: unknown[] };
    expect(JSON.stringify(report.drift)).not.toContain("relay-security-check.yml");
    expect(JSON.stringify(report.edited)).toContain("relay-security-check.yml");
  });

  it("--no-check-workflow: not written, and the answer is recorded", async () => {
    const dir = makeRepo("example");
    expect((await upgrade(dir, { flags: { checkWorkflow: false } })).exitCode).toBe(0);
    expect(existsSync(join(dir, PATHS.checkWorkflow))).toBe(false);
    const state = JSON.parse(readFileSync(join(dir, PATHS.state), "utf8")) as { answers: Record<string, unknown> };
    expect(state.answers["checkWorkflow"]).toBe(false);
  });
});

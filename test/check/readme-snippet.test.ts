import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCommand } from "../../src/commands.js";
import { loadPins } from "../../src/pins.js";
import { VERSION } from "../../src/version.js";
import { actionlint, workflowRepo, zizmor } from "../support/linters.js";
import { makeRepo, ROOT, snapshot } from "../support/repo.js";
import { requireTool } from "../support/tools.js";
import { commitAll, quietDeps, upgrade, write } from "../upgrade/support.js";

/** The workflow the README tells users to add for `check` in CI (between the check-snippet markers). */
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const snippet = /<!-- check-snippet -->\n```yaml\n([^]*?)```\n<!-- \/check-snippet -->/.exec(readme)?.[1] ?? "";
const actionlintBin = requireTool("actionlint");
const zizmorBin = requireTool("zizmor");

describe("the README's `check` in CI snippet", () => {
  it("pins this version and the checkout SHA from data/pins.json, without credentials and without setup-node", () => {
    expect(snippet).not.toBe("");
    const checkout = loadPins().actions["actions/checkout"];
    expect(snippet).toContain(`uses: actions/checkout@${checkout?.sha} # ${checkout?.tag}`);
    expect(snippet).toContain(`run: npx --yes create-relay-security@${VERSION} check\n`);
    expect(snippet).not.toMatch(/setup-node/);
    const wf = parse(snippet) as { permissions: unknown; jobs: { check: { steps: { with?: Record<string, unknown> }[] } } };
    expect(wf.permissions).toEqual({ contents: "read" });
    expect(wf.jobs.check.steps[0]?.with).toEqual({ "persist-credentials": false });
  });

  it.skipIf(!actionlintBin || !zizmorBin)("is clean for actionlint and zizmor (pedantic)", () => {
    const dir = workflowRepo({ "relay-security-check.yml": snippet });
    expect(actionlint(actionlintBin as string, dir)).toEqual([]);
    expect(zizmor(zizmorBin as string, dir)).toEqual([]);
  });

  it("added to a set-up repository: check passes with it, and a re-run has nothing to do", async () => {
    const dir = makeRepo("example");
    expect((await upgrade(dir)).exitCode).toBe(0);
    write(dir, ".github/workflows/relay-security-check.yml", snippet);
    commitAll(dir, "check in CI");
    const before = snapshot(dir);
    const { exitCode, output } = await runCommand("check", { dir, json: true, offline: true }, quietDeps());
    const report = JSON.parse(output) as { drift: unknown[]; findings: { file: string; severity: string }[] };
    expect(report.drift).toEqual([]);
    expect(report.findings.filter((f) => f.file.includes("relay-security-check.yml") && f.severity !== "info")).toEqual([]);
    expect(exitCode).toBe(0);
    const again = await upgrade(dir);
    expect(again.report.plan.changes.every((c) => c.action === "unchanged")).toBe(true);
    expect(snapshot(dir)).toEqual(before);
  });
});

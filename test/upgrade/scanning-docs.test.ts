import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCommand } from "../../src/commands.js";
import { PATHS } from "../../src/render/index.js";
import { makeRepo } from "../support/repo.js";
import { commitAll, quietDeps, read, setupPreviousRelease, upgrade, write } from "./support.js";

const stateOf = (dir: string) => JSON.parse(read(dir, PATHS.state)) as { files: Record<string, { generated: string }> };
const NOTE = "\n## Our own notes\n\nSecurity questions go to #platform-security.\n";

// Issue 12, item 10: docs/security-scanning.md is one of our files: written, recorded, merged, validated.
describe("the maintainers' page as an owned file", () => {
  it("an upgrade from a release without the page creates it and records it in the state file", async () => {
    const dir = makeRepo("example");
    await setupPreviousRelease(dir);
    // The previous release had no page: neither the file nor its record in the state.
    rmSync(join(dir, PATHS.docs));
    const state = stateOf(dir);
    delete state.files[PATHS.docs];
    write(dir, PATHS.state, `${JSON.stringify(state, null, 2)}\n`);
    commitAll(dir, "relay-security 0.0.9, before the page");
    const { exitCode, report } = await upgrade(dir);
    expect(exitCode).toBe(0);
    const page = read(dir, PATHS.docs);
    expect(page).toMatch(/^<!-- Managed by relay-security/);
    expect(page).toContain("## Accepting a risk");
    expect(report.plan.changes.find((c) => c.path === PATHS.docs)?.action).toBe("create");
    expect(stateOf(dir).files[PATHS.docs]?.generated).toBe(page);
  });

  it("the user's notes survive an upgrade that changes our text (a new label); a second run changes nothing", async () => {
    const dir = makeRepo("example");
    expect((await upgrade(dir)).exitCode).toBe(0);
    write(dir, PATHS.docs, read(dir, PATHS.docs) + NOTE);
    commitAll(dir, "our notes");
    const { exitCode, report } = await upgrade(dir, { flags: { label: "vulnerability" } });
    expect(exitCode).toBe(0);
    const page = read(dir, PATHS.docs);
    expect(page.endsWith(NOTE)).toBe(true);
    expect(page).toContain("labelled `vulnerability`");
    expect(page).not.toContain("labelled `security`");
    expect(report.plan.changes.find((c) => c.path === PATHS.docs)?.reason).toMatch(/merged the new version with your edits/);
    expect(stateOf(dir).files[PATHS.docs]?.generated).toBe(page.slice(0, -NOTE.length));
    commitAll(dir, "upgrade");
    const again = await upgrade(dir);
    expect(again.report.written).toEqual([]);
  });

  it("validate warns about the page's link to an ignore file that was deleted (the user's call: not a failure)", async () => {
    const dir = makeRepo("example");
    expect((await upgrade(dir)).exitCode).toBe(0);
    commitAll(dir, "set up");
    expect((await runCommand("validate", { dir, json: true, offline: true }, quietDeps())).exitCode).toBe(0);
    rmSync(join(dir, ".trivyignore"));
    const result = await runCommand("validate", { dir, json: true, offline: true }, quietDeps());
    expect(result.exitCode).toBe(0);
    const findings = (JSON.parse(result.output) as { findings: { file: string; rule: string; line?: number }[] }).findings;
    expect(findings.filter((f) => f.rule === "docs-link")).toEqual([expect.objectContaining({ file: PATHS.docs, rule: "docs-link", severity: "warning", line: expect.any(Number) })]);
    // A page whose code block lost its closing fence is broken: an error, exit 1.
    write(dir, PATHS.docs, read(dir, PATHS.docs).replace(/\n```\n\n`exp:`/, "\n\n`exp:`"));
    const broken = await runCommand("validate", { dir, json: true, offline: true }, quietDeps());
    expect(broken.exitCode).toBe(1);
    expect((JSON.parse(broken.output) as { findings: { rule: string }[] }).findings.map((f) => f.rule)).toContain("docs-fence");
  });
});

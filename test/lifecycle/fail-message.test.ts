import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderSecurityScan } from "../../src/render/index.js";
import { viewWith } from "../support/answers.js";
import { runScriptOf } from "../support/workflow.js";

/** Issue 20.9: the rescan's "Fail on findings" message points at something that exists. */
describe("the rescan's Fail on findings message", () => {
  it("names the Decide step, which prints the table, and where else the findings are", () => {
    const text = renderSecurityScan(viewWith());
    const wf = parse(text) as { jobs: Record<string, { steps: { name?: string; run?: string }[] }> };
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps ?? []);
    // The message is built over several lines (80 columns, issue 10): what the log shows is one annotation.
    const run = spawnSync("bash", ["-c", steps.find((s) => s.name === "Fail on findings")?.run ?? ""], { encoding: "utf8" });
    expect(run.status).toBe(1);
    const fail = run.stdout;
    expect(fail.trimEnd().split("\n")).toHaveLength(1);
    expect(fail).toMatch(/^::error::Trivy found fixable CRITICAL,HIGH vulnerabilities in the image: /);
    expect(fail).not.toContain("table above");
    expect(fail).toContain("the Decide step lists them");
    expect(fail).toContain("relay-security-results-trivy-image");
    const decide = runScriptOf(text, "image", "decide");
    expect(decide).toMatch(/\["SEVERITY", "ID", "PACKAGE"/);
  });
});

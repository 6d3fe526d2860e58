import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderSecurityScan } from "../../src/render/index.js";
import { viewWith } from "../support/answers.js";

/** Issue 20.9: the rescan's "Fail on findings" message points at something that exists. */
describe("the rescan's Fail on findings message", () => {
  it("names the Decide step, which prints the table, and where else the findings are", () => {
    const wf = parse(renderSecurityScan(viewWith())) as { jobs: Record<string, { steps: { name?: string; run?: string }[] }> };
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps ?? []);
    const fail = steps.find((s) => s.name === "Fail on findings")?.run ?? "";
    expect(fail).not.toContain("table above");
    expect(fail).toContain("the Decide step lists them");
    expect(fail).toContain("relay-security-results-trivy-image");
    const decide = steps.find((s) => s.name === "Decide")?.run ?? "";
    expect(decide).toMatch(/\["SEVERITY", "ID", "PACKAGE"/);
  });
});

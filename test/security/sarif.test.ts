/** Issue 13, item 6: the SARIF upload job's permissions, and what the plan says about private repositories. */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { detect } from "../../src/detect/index.js";
import { buildPlan, SARIF_NOTE } from "../../src/plan/index.js";
import { renderSecurityScan } from "../../src/render/index.js";
import { answersWith, viewWith } from "../support/answers.js";
import { scriptedDeps } from "../support/deps.js";
import { makeRepo } from "../support/repo.js";

describe("--sarif", () => {
  it("the upload job reads the run and the commit, and writes only security events", () => {
    const wf = parse(renderSecurityScan(viewWith({ sarif: true }))) as { jobs: Record<string, { permissions: Record<string, string> }> };
    expect(wf.jobs["code-scanning"]?.permissions).toEqual({ actions: "read", contents: "read", "security-events": "write" });
  });

  it("the plan says a private repository needs GitHub Advanced Security", async () => {
    const dir = makeRepo("example");
    const detected = await detect(dir, scriptedDeps([]).deps);
    const plan = (sarif: boolean) => buildPlan(detected, answersWith({ sarif }), undefined, { restore: false, onConflict: "markers" });
    expect(plan(true).notes).toContain(SARIF_NOTE);
    expect(SARIF_NOTE).toMatch(/private.*GitHub Advanced Security/);
    expect(plan(false).notes).not.toContain(SARIF_NOTE);
  });
});

import { describe, expect, it } from "vitest";
import { renderFleetWorkflow } from "../../src/fleet/workflow.js";
import { actionlint, workflowRepo, zizmor } from "../support/linters.js";
import { requireTool } from "../support/tools.js";

const actionlintBin = requireTool("actionlint");
const zizmorBin = requireTool("zizmor");
const shellcheck = requireTool("shellcheck");

const VARIANTS = {
  "a list file, max-parallel 4": renderFleetWorkflow({ source: { kind: "file", repos: ["acme/a", "acme/b"] }, maxParallel: 4 }),
  "an organisation's topic, max-parallel 1": renderFleetWorkflow({ source: { kind: "org", org: "acme", topic: "go-service" }, maxParallel: 1 }),
};

describe.each(Object.entries(VARIANTS))("the fleet workflow, %s", (_name, text) => {
  const dir = workflowRepo({ "relay-security-fleet.yml": text });
  it.skipIf(!actionlintBin || !shellcheck)("actionlint (with shellcheck) finds nothing", () => {
    expect(actionlint(actionlintBin!, dir)).toEqual([]);
  });
  it.skipIf(!zizmorBin)("zizmor (offline, pedantic) finds nothing", () => {
    expect(zizmor(zizmorBin!, dir)).toEqual([]);
  });
  it("is a matrix that does not stop at the first failure, at the parallelism asked, and pins every action", () => {
    expect(text).toMatch(/fail-fast: false\n\s+max-parallel: [14]\n/);
    for (const line of text.split("\n").filter((l) => /^\s+(- )?uses:/.test(l))) expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    expect(text).not.toMatch(/@latest|create-github-app-token/);
  });
});

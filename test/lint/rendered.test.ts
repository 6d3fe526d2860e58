import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { buildView, PATHS, renderDbAction, renderCheckWorkflow, renderCi, renderSecurityDb, renderSecurityScan } from "../../src/render/index.js";
import { actionlint, workflowRepo, zizmor } from "../support/linters.js";
import { requireTool } from "../support/tools.js";
import { answersWith, viewWith } from "../support/answers.js";

const actionlintBin = requireTool("actionlint");
const zizmorBin = requireTool("zizmor");
const shellcheck = requireTool("shellcheck");

const VARIANTS: Record<string, Record<string, unknown>> = {
  daily: {},
  weekly: { schedule: "weekly" },
  "custom cron": { schedule: "41 3 * * 1-5" },
  "sarif on": { sarif: true },
  "harden-runner, sarif on": { hardenRunner: true, sarif: true },
  "harden-runner, grype": { hardenRunner: true, scanner: "grype", sarif: false },
  "no image scan": { imageScan: false, dockerfile: undefined },
  "severity CRITICAL, dockerfile in a subfolder": { severity: "CRITICAL", dockerfile: "deploy/Dockerfile", context: "." },
  // --scanner grype: SARIF is refused by the answers schema with grype, so sarif stays off here.
  grype: { scanner: "grype", sarif: false },
  // --reachability: ci.yml's image-scan job carries setup-go, govulncheck and the VEX step before the gate.
  "reachability on": { reachability: true },
  "reachability on, sarif on": { reachability: true, sarif: true },
  "grype, weekly, severity down to MEDIUM": { scanner: "grype", sarif: false, schedule: "weekly", severity: "CRITICAL,HIGH,MEDIUM" },
  // --report code-scanning (issue 20 item 8): no issues job, the scanner jobs upload SARIF themselves.
  "report to code scanning": { report: "code-scanning" },
  "report to code scanning, sarif on, reachability on": { report: "code-scanning", sarif: true, reachability: true },
  "report to code scanning, no image scan": { report: "code-scanning", imageScan: false, dockerfile: undefined },
  "grype, no image scan": { scanner: "grype", sarif: false, imageScan: false, dockerfile: undefined },
  "another Trivy database repository": { dbRepository: "mirror.example.com/aquasec/trivy-db:2,ghcr.io/aquasecurity/trivy-db:2" },
  "grype, another database URL": { scanner: "grype", sarif: false, dbRepository: "https://grype.example.com/databases/v6/latest.json" },
};

// CI's build carried into our job and the rescan (issue 10 §3): target, platform, build args with quotes.
const BUILD = { dockerfile: "services/api/Dockerfile", context: "services/api", target: "runtime", platform: "linux/amd64", args: ["BUILD_IMAGE=golang:1.25.4", "NOTE=it's \"quoted\" $HOME `x`"] };
VARIANTS["build options from CI"] = { __build: BUILD };
VARIANTS["build options from CI, grype"] = { __build: BUILD, scanner: "grype", sarif: false };

const render = ({ __build, ...over }: Record<string, unknown>) => {
  const view = __build ? buildView({ answers: answersWith(over), modulePath: "example.com/svc", goModFile: "go.mod", build: __build as typeof BUILD }) : viewWith(over);
  return { "security-scan.yml": renderSecurityScan(view), "ci.yml": renderCi(view), "relay-security-check.yml": renderCheckWorkflow(view), ...(view.imageScan ? { "security-db.yml": renderSecurityDb(view), [PATHS.dbAction]: renderDbAction(view) } : {}) };
};

describe.each(Object.entries(VARIANTS))("rendered workflows, %s", (_name, over) => {
  const dir = workflowRepo(render(over));
  it.skipIf(!actionlintBin || !shellcheck)("actionlint (with shellcheck) finds nothing", () => {
    expect(actionlint(actionlintBin!, dir)).toEqual([]);
  });
  it.skipIf(!zizmorBin)("zizmor (offline, pedantic) finds nothing", () => {
    expect(zizmor(zizmorBin!, dir)).toEqual([]);
  });
});

describe("the linters can fail (controls)", () => {
  const bad = workflowRepo({
    "bad.yml": "on: issues\npermissions: write-all\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo ${{ github.event.issue.title }} $UNQUOTED\n",
  });
  it.skipIf(!actionlintBin || !shellcheck)("actionlint reports the injection and shellcheck the unquoted variable", () => {
    const found = actionlint(actionlintBin!, bad).join("\n");
    expect(found).toMatch(/github\.event\.issue\.title.*potentially untrusted/);
    expect(found).toMatch(/SC2086/);
  });
  it.skipIf(!zizmorBin)("zizmor reports the unpinned action and the template injection", () => {
    const found = zizmor(zizmorBin!, bad).join("\n");
    expect(found).toMatch(/unpinned-uses/);
    expect(found).toMatch(/template-injection/);
  });
});

/**
 * Our composite action (.github/actions/relay-security-db/action.yml): actionlint lints workflows only
 * (it reads an action's metadata to check the inputs a workflow passes, which the variants above do),
 * so its `run:` scripts go through shellcheck here; zizmor audits it with the workflows above.
 */
describe.each([["trivy", {}], ["grype", { scanner: "grype", sarif: false }], ["another database", { dbRepository: "mirror.example.com/aquasec/trivy-db:2" }]] as const)("the database action, %s", (_name, over) => {
  type ActionStep = { name?: string; uses?: string; shell?: string; run?: string; env?: Record<string, string> };
  const action = parse(renderDbAction(viewWith(over))) as { inputs: Record<string, { description?: string }>; runs: { using: string; steps: ActionStep[] } };
  it("is a composite action whose inputs all have descriptions, every uses: pinned, every run: in bash", () => {
    expect(action.runs.using).toBe("composite");
    for (const [name, input] of Object.entries(action.inputs)) expect(input.description, name).toMatch(/\S/);
    for (const step of action.runs.steps) {
      if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      if (step.run !== undefined) expect(step.shell).toBe("bash");
      if (step.run !== undefined) expect(step.run).not.toContain("${{");
    }
    for (const line of renderDbAction(viewWith(over)).split("\n").filter((l) => /^\s*(- )?uses: /.test(l))) expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });
  it.skipIf(!shellcheck)("its run: scripts are shellcheck-clean (shellcheck -s bash)", () => {
    const runs = action.runs.steps.filter((s) => s.run !== undefined);
    expect(runs.length).toBeGreaterThan(0);
    const dir = workflowRepo({});
    const files = runs.map((s, i) => {
      const f = join(dir, `step-${i}.sh`);
      writeFileSync(f, s.run ?? "");
      return f;
    });
    const r = spawnSync(shellcheck!, ["-s", "bash", ...files], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    // Control: the same shellcheck on an unquoted variable reports it.
    writeFileSync(join(dir, "bad.sh"), "echo $1\n");
    expect(spawnSync(shellcheck!, ["-s", "bash", join(dir, "bad.sh")], { encoding: "utf8" }).stdout).toMatch(/SC2086/);
  });
});

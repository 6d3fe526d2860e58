import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { PATHS, renderCi, renderDbAction, renderGateStep, renderSecurityDb, renderSecurityScan } from "../../src/render/index.js";
import { viewWith } from "../support/answers.js";
import { workflowRepo } from "../support/linters.js";
import { requireTool } from "../support/tools.js";

/**
 * Issue 10, section 4: repositories that gate CI on yamllint (default rules) got line-length errors from
 * what we generated. Generated lines stay within 80 columns where YAML allows: the one exception is a
 * pinned `uses: owner/repo@<40-hex sha> # vX.Y.Z`, which cannot wrap (Renovate reads the version only
 * on the same line).
 */
const yamllint = requireTool("yamllint");
const PINNED_USES = /^\s*(?:- )?uses: \S+@[0-9a-f]{40} # \S+$/;

/** yamllint's line-length errors (default config), without the pinned-uses lines. */
function tooLong(dir: string, file: string): string[] {
  const r = spawnSync(yamllint!, ["-d", "default", "-f", "parsable", file], { cwd: dir, encoding: "utf8" });
  if (r.status === null || (r.status !== 0 && r.status !== 1)) throw new Error(`yamllint failed (${r.status}): ${r.stderr}`);
  const lines = spawnSync("cat", [file], { cwd: dir, encoding: "utf8" }).stdout.split("\n");
  return r.stdout
    .split("\n")
    .filter((l) => l.includes("(line-length)") && l.includes("[error]"))
    .filter((l) => !PINNED_USES.test(lines[Number(l.split(":")[1]) - 1] ?? ""));
}

const VARIANTS: Record<string, Record<string, unknown>> = {
  trivy: {},
  "trivy, every severity, dockerfile in a subfolder": { severity: "CRITICAL,HIGH,MEDIUM,LOW", dockerfile: "deploy/Dockerfile" },
  grype: { scanner: "grype", sarif: false },
  "grype down to LOW": { scanner: "grype", sarif: false, severity: "CRITICAL,HIGH,MEDIUM,LOW" },
};

/** Our step as the gate inserts it into a user's job: at the steps' usual indentation of 6. */
const userWorkflow = (step: string) =>
  ["name: CI", "on: pull_request", "jobs:", "  build:", "    runs-on: ubuntu-latest", "    steps:", "      - run: docker build -t app:pr .", ...step.trimEnd().split("\n").map((l) => (l ? `      ${l}` : l)), ""].join("\n");

describe.skipIf(!yamllint)("yamllint (default rules) finds no line over 80 columns in what we generate", () => {
  for (const [name, over] of Object.entries(VARIANTS)) {
    it(`ci.yml with the image-scan job and the gate step (${name})`, () => {
      const dir = workflowRepo({ "ci.yml": renderCi(viewWith(over)) });
      expect(tooLong(dir, ".github/workflows/ci.yml")).toEqual([]);
    });
    it(`our database action, security-db.yml (${name})`, () => {
      const dir = workflowRepo({ [PATHS.dbAction]: renderDbAction(viewWith(over)), "security-db.yml": renderSecurityDb(viewWith(over)) });
      expect(tooLong(dir, PATHS.dbAction)).toEqual([]);
      expect(tooLong(dir, ".github/workflows/security-db.yml")).toEqual([]);
    });
    it(`the gate step inserted into a user's job (${name})`, () => {
      const dir = workflowRepo({ "ci.yml": userWorkflow(renderGateStep(viewWith(over), "ghcr.io/acme/hello-service:pr")) });
      expect(tooLong(dir, ".github/workflows/ci.yml")).toEqual([]);
    });
  }

  // Issue 10: security-scan.yml was 1,100 lines with ~320 over 80 columns, most of them inlined
  // scripts; they are files of their own now, and every variant of the workflow is held to the rule.
  const SCAN_VARIANTS: Record<string, Record<string, unknown>> = {
    ...VARIANTS,
    "--reachability": { reachability: true },
    "--report code-scanning": { report: "code-scanning" },
    "--sarif": { sarif: true },
    "--no-image-scan": { imageScan: false },
    "--harden-runner": { hardenRunner: true },
    "grype, --harden-runner, --isolated-scan": { scanner: "grype", sarif: false, hardenRunner: true, isolatedScan: true },
    "a weekly schedule and a long label": { schedule: "weekly", label: "security-scan-findings" },
  };
  for (const [name, over] of Object.entries(SCAN_VARIANTS)) {
    it(`security-scan.yml (${name})`, () => {
      const dir = workflowRepo({ "security-scan.yml": renderSecurityScan(viewWith(over)) });
      expect(tooLong(dir, ".github/workflows/security-scan.yml")).toEqual([]);
    });
  }

  it("the check can fail (control): a long comment is reported, a pinned uses line is not", () => {
    const long = `# ${"word ".repeat(20).trim()}\n`;
    const pinned = "      - uses: aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25 # v0.36.0\n";
    const dir = workflowRepo({ "w.yml": `${long}on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n${pinned}` });
    expect(tooLong(dir, ".github/workflows/w.yml")).toHaveLength(1);
  });
});

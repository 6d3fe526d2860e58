import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixture, Runner } from "../support/lifecycle.js";
import { lifecycleScripts } from "../support/scripts.js";

// Job `image`, step `decide`: runs after trivy-action (format json, exit-code 0). Trivy exits 1 for a
// failed DB download too, and then writes no report: that must be a red run with no status (no issue).
describe("trivy-decide.sh", () => {
  let r: Runner;
  beforeEach(() => {
    r = new Runner();
  });
  afterEach(() => r.cleanup());

  const outDir = () => join(r.cwd, "relay-security-results/trivy-image");
  const decide = (results: string | undefined) => {
    const resultsFile = join(r.cwd, "trivy-results.json");
    if (results !== undefined) writeFileSync(resultsFile, results);
    const output = join(r.root, "github-output");
    writeFileSync(output, "");
    const run = r.run(lifecycleScripts().trivyDecide, {
      RESULTS_FILE: "trivy-results.json",
      OUT_DIR: "relay-security-results/trivy-image",
      GITHUB_OUTPUT: output,
    });
    return { ...run, output: readFileSync(output, "utf8") };
  };

  it("findings: status findings, the report copied, status in GITHUB_OUTPUT, exit 0", () => {
    const run = decide(fixture("trivy-image-findings.json"));
    expect(run.status).toBe(0);
    expect(readFileSync(join(outDir(), "status"), "utf8")).toBe("findings\n");
    expect(readFileSync(join(outDir(), "results.json"), "utf8")).toBe(fixture("trivy-image-findings.json"));
    expect(run.output).toBe("status=findings\n");
    expect(run.stdout).toContain("6 vulnerabilities");
    // The table "Fail on findings" points at (issue 20.9): a header, then one row a finding, CRITICAL first.
    const rows = run.stdout.split("\n").filter((l) => /^(SEVERITY|CRITICAL|HIGH|MEDIUM|LOW)\s/.test(l));
    expect(rows).toHaveLength(7);
    expect(rows[0]).toMatch(/^SEVERITY\s+ID\s+PACKAGE\s+INSTALLED\s+FIXED IN\s+TARGET$/);
    expect(rows[1]).toMatch(/^CRITICAL\s+CVE-2025-22871\s+stdlib\s+v1\.24\.1\s+1\.23\.8, 1\.24\.2\s+usr\/local\/bin\/app$/);
    expect(rows.at(-1)).toMatch(/^MEDIUM\s+CVE-2025-26519\s+musl/);
  });

  it("clean: results without Vulnerabilities", () => {
    const run = decide(fixture("trivy-image-clean.json"));
    expect(run.status).toBe(0);
    expect(readFileSync(join(outDir(), "status"), "utf8")).toBe("clean\n");
    expect(run.output).toBe("status=clean\n");
  });

  it("clean: a finished scan with no Results key at all (nothing found in the image)", () => {
    const run = decide(fixture("trivy-image-no-results.json"));
    expect(run.status).toBe(0);
    expect(readFileSync(join(outDir(), "status"), "utf8")).toBe("clean\n");
  });

  it.each([
    ["no report (the DB download failed before the scan)", undefined],
    ["an empty report file", ""],
    ["a truncated report", fixture("trivy-image-findings.json").slice(0, 700)],
    ["JSON that is not a Trivy report (SARIF)", JSON.stringify({ version: "2.1.0", runs: [] })],
    ["two concatenated reports", fixture("trivy-image-clean.json") + fixture("trivy-image-clean.json")],
    ["Results that is not a list", JSON.stringify({ SchemaVersion: 2, ArtifactName: "x", Results: {} })],
  ])("%s: ::error::, exit 1, no status and nothing in GITHUB_OUTPUT", (_name, results) => {
    const run = decide(results);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^::error::.*the scan did not finish/m);
    expect(existsSync(join(outDir(), "status"))).toBe(false);
    expect(run.output).toBe("");
  });

  it("is safe to re-run in the same workspace: a stale status from an earlier step does not survive a failure", () => {
    expect(decide(fixture("trivy-image-findings.json")).status).toBe(0);
    writeFileSync(join(r.cwd, "trivy-results.json"), "");
    expect(decide(undefined).status).toBe(1);
    expect(existsSync(join(outDir(), "status"))).toBe(false);
    expect(existsSync(join(outDir(), "results.json"))).toBe(false);
  });
});

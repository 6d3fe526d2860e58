import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixture, Runner } from "../support/lifecycle.js";
import { lifecycleScripts } from "../support/scripts.js";

// Job `govulncheck`, step `scan`. The real govulncheck is exercised elsewhere (offline fixture DB);
// here a fake prints canned output so that every exit code can be driven.
describe("govulncheck-scan.sh", () => {
  let r: Runner;
  beforeEach(() => {
    r = new Runner();
  });
  afterEach(() => r.cleanup());

  const outDir = () => join(r.cwd, "relay-security-results/govulncheck");
  const scan = () => {
    const output = join(r.root, "github-output");
    writeFileSync(output, "");
    const run = r.run(lifecycleScripts().govulncheckScan, { OUT_DIR: "relay-security-results/govulncheck", GITHUB_OUTPUT: output });
    return { ...run, output: readFileSync(output, "utf8") };
  };

  it("exit 3 in text mode: findings, the text shown in the log, the JSON stream saved", () => {
    const log = r.fakeGovulncheck({ text: fixture("govulncheck-called.txt"), textExit: 3, json: fixture("govulncheck-called-and-imported.json") });
    const run = scan();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Vulnerability #1: GO-2025-3563");
    expect(readFileSync(join(outDir(), "status"), "utf8")).toBe("findings\n");
    expect(readFileSync(join(outDir(), "results.json"), "utf8")).toBe(fixture("govulncheck-called-and-imported.json"));
    expect(run.output).toBe("status=findings\n");
    expect(readFileSync(log, "utf8")).toBe("./...\n-format json ./...\n");
  });

  it("exit 0 in text mode: clean (even though the JSON lists imported-only vulnerabilities)", () => {
    r.fakeGovulncheck({ text: fixture("govulncheck-clean.txt"), textExit: 0, json: fixture("govulncheck-called-and-imported.json") });
    const run = scan();
    expect(run.status).toBe(0);
    expect(readFileSync(join(outDir(), "status"), "utf8")).toBe("clean\n");
    expect(run.output).toBe("status=clean\n");
  });

  it.each([1, 2])("exit %i in text mode: the output is shown, ::error::, exit 1, no status", (code) => {
    const log = r.fakeGovulncheck({ text: "govulncheck: loading packages: go: updates to go.mod needed\n", textExit: code, json: "" });
    const run = scan();
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("loading packages");
    expect(run.stdout).toMatch(new RegExp(`^::error::govulncheck failed \\(exit code ${code}`, "m"));
    expect(existsSync(join(outDir(), "status"))).toBe(false);
    expect(run.output).toBe("");
    expect(readFileSync(log, "utf8")).toBe("./...\n"); // the JSON pass never ran
  });

  it.each([
    ["exits non-zero", { json: fixture("govulncheck-called-and-imported.json"), jsonExit: 1 }],
    ["prints nothing", { json: "" }],
    ["prints something else", { json: "{\"osv\": " }],
  ])("the JSON pass %s: ::error::, exit 1, no status", (_name, j) => {
    r.fakeGovulncheck({ text: fixture("govulncheck-called.txt"), textExit: 3, ...j });
    const run = scan();
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^::error::govulncheck -format json failed/m);
    expect(existsSync(join(outDir(), "status"))).toBe(false);
    expect(existsSync(join(outDir(), "results.json"))).toBe(false);
  });
});

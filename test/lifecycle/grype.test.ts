import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cells, cleanComment, fixture, hiddenLines, IMAGE_REF, marker, RUN_URL, Runner, tableRows } from "../support/lifecycle.js";
import { grypeFindingsReport, grypeMatch, grypeReport } from "../support/grype-report.js";
import { lifecycleScripts } from "../support/scripts.js";
import { json } from "../support/trivy-report.js";

const TITLE = `Security scan: vulnerabilities in image ${IMAGE_REF}`;

// Job `image`, step `decide` of the --scanner grype workflow: runs after anchore/scan-action (output-format
// json, fail-build false). Grype's `matches` hold every severity (severity-cutoff only sets the exit code),
// so the step applies the gate's policy itself: fix state "fixed", severity at or above SEVERITY_CUTOFF.
describe("grype-decide.sh", () => {
  let r: Runner;
  beforeEach(() => {
    r = new Runner();
  });
  afterEach(() => r.cleanup());

  const outDir = () => join(r.cwd, "relay-security-results/grype-image");
  const decide = (results: string | undefined, cutoff: string | undefined = "high") => {
    const resultsFile = join(r.cwd, "grype-results.json");
    if (results !== undefined) writeFileSync(resultsFile, results);
    const output = join(r.root, "github-output");
    writeFileSync(output, "");
    const run = r.run(lifecycleScripts().grypeDecide, {
      RESULTS_FILE: "grype-results.json",
      OUT_DIR: "relay-security-results/grype-image",
      SEVERITY_CUTOFF: cutoff,
      GITHUB_OUTPUT: output,
    });
    return { ...run, output: readFileSync(output, "utf8") };
  };
  const status = () => readFileSync(join(outDir(), "status"), "utf8");

  it("findings: counts only fixed matches at or above the cutoff, copies the report, sets the output", () => {
    const run = decide(fixture("grype-image-findings.json"));
    expect(run.status).toBe(0);
    expect(status()).toBe("findings\n");
    expect(readFileSync(join(outDir(), "results.json"), "utf8")).toBe(fixture("grype-image-findings.json"));
    expect(run.output).toBe("status=findings\n");
    // 6 matches: the Medium musl one is below the cutoff; the unfixed zlib one is in ignoredMatches (only-fixed).
    expect(run.stdout).toContain("Grype found 5 fixed vulnerabilities at or above high (1 critical, 4 high)");
  });

  it("the cutoff is a threshold: critical counts one, medium counts six", () => {
    expect(decide(fixture("grype-image-findings.json"), "critical").stdout).toContain("found 1 fixed vulnerabilities at or above critical");
    expect(decide(fixture("grype-image-findings.json"), "medium").stdout).toContain("found 6 fixed vulnerabilities at or above medium");
  });

  it("clean: a finished scan with an empty matches list", () => {
    const run = decide(fixture("grype-image-clean.json"));
    expect(run.status).toBe(0);
    expect(status()).toBe("clean\n");
    expect(run.output).toBe("status=clean\n");
  });

  it("clean: unfixed, won't-fix, unknown-fix and below-cutoff matches do not count", () => {
    const report = grypeReport([
      grypeMatch("CVE-2099-0001", { severity: "Critical", state: "not-fixed" }),
      grypeMatch("CVE-2099-0002", { severity: "Critical", state: "wont-fix" }),
      grypeMatch("CVE-2099-0003", { severity: "High", state: "unknown" }),
      grypeMatch("CVE-2099-0004", { severity: "Medium" }),
      grypeMatch("CVE-2099-0005", { severity: "Negligible" }),
      grypeMatch("CVE-2099-0006", { severity: "Unknown" }),
    ]);
    const run = decide(json(report));
    expect(run.status).toBe(0);
    expect(status()).toBe("clean\n");
    // Grype ranks Unknown below Negligible: even the lowest cutoff does not fail on it.
    expect(decide(json(report), "negligible").stdout).toContain("found 2 fixed vulnerabilities at or above negligible (1 medium, 1 negligible)");
  });

  it.each([
    ["no report (the DB download or the scan failed)", undefined],
    ["an empty report file", ""],
    ["a truncated report", fixture("grype-image-findings.json").slice(0, 900)],
    ["a Trivy report", fixture("trivy-image-findings.json")],
    ["SARIF", JSON.stringify({ version: "2.1.0", runs: [] })],
    ["two concatenated reports", fixture("grype-image-clean.json") + fixture("grype-image-clean.json")],
    ["matches that is not a list", JSON.stringify({ ...grypeReport([]), matches: {} })],
    ["matches: null", JSON.stringify({ ...grypeReport([]), matches: null })],
    ["a descriptor that is not grype's", JSON.stringify({ ...grypeReport([]), descriptor: { name: "syft", version: "1.0.0" } })],
  ])("%s: ::error::, exit 1, no status and nothing in GITHUB_OUTPUT", (_name, results) => {
    const run = decide(results);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^::error::.*the scan did not finish/m);
    expect(existsSync(join(outDir(), "status"))).toBe(false);
    expect(run.output).toBe("");
  });

  it.each(["", "HIGH,CRITICAL", "unknown"])("SEVERITY_CUTOFF %j: refused, no status", (cutoff) => {
    const run = decide(fixture("grype-image-findings.json"), cutoff);
    expect(run.status).not.toBe(0);
    expect(existsSync(join(outDir(), "status"))).toBe(false);
  });

  it("is safe to re-run in the same workspace: a stale status does not survive a failure", () => {
    expect(decide(fixture("grype-image-findings.json")).status).toBe(0);
    writeFileSync(join(r.cwd, "grype-results.json"), "");
    expect(decide(undefined).status).toBe(1);
    expect(existsSync(join(outDir(), "status"))).toBe(false);
    expect(existsSync(join(outDir(), "results.json"))).toBe(false);
  });

  it("prints counts only: scanner text never reaches the log", () => {
    const report = grypeReport([grypeMatch("CVE-2099-0001", { name: "::error::pwned", description: "::add-mask::x" })]);
    const run = decide(json(report));
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain("pwned");
    expect(run.stdout).not.toContain("add-mask");
  });
});

describe("issue-lifecycle.sh, grype-image", () => {
  let r: Runner;
  beforeEach(() => {
    r = new Runner();
  });
  afterEach(() => r.cleanup());

  const findings = (report: unknown = grypeFindingsReport()) => r.writeResult("grype-image", "findings", json(report));
  const issues = (env: Record<string, string | undefined> = {}) => r.issues({ TARGETS: "grype-image", SEVERITY_CUTOFF: "high", ...env });
  const seed = () => {
    findings();
    expect(issues().stdout).toBe("grype-image: created #1\n");
    r.gh.clearLog();
    return r.gh.issue(1);
  };

  it("no issue yet: creates the label, then the issue with its own marker and a ranked table of what the policy counts", () => {
    const run = issues();
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("grype-image: no results (the scan failed or did not run): nothing to do\n");
    findings();
    expect(issues().stdout).toBe("grype-image: created #1\n");
    expect(r.gh.writeCalls().map((w) => w.slice(0, 2).join(" "))).toEqual(["label create", "issue create"]);

    const issue = r.gh.issue(1);
    expect(issue).toMatchObject({ title: TITLE, state: "OPEN", labels: ["security"] });
    const lines = issue.body.split("\n");
    expect(lines[0]).toBe(marker("grype-image"));
    expect(lines[3]).toMatch(/^<!-- relay-security:state v2 findings=[0-9a-f]{64} region=[0-9a-f]{64} keys=[0-9,]+ -->$/);
    expect(issue.body).toContain(`[this run](${RUN_URL})`);
    expect(issue.body).toContain("found **5 vulnerabilities** (1 CRITICAL, 4 HIGH)");

    const rows = tableRows(issue.body).map(cells);
    expect(rows.map((c) => [c[0]!.replace(/\]\(.*$/, "").replace(/^\[/, ""), c[1], c[2]])).toEqual([
      ["CVE-2025-22871", "CRITICAL", "stdlib"],
      ["CVE-2025-47907", "HIGH", "stdlib"],
      ["CVE-2025-9230", "HIGH", "libcrypto3"],
      ["CVE-2025-9230", "HIGH", "libssl3"],
      ["GHSA-hcg3-q754-cr77", "HIGH", "golang.org/x/crypto"],
    ]);
    expect(rows[0]).toEqual([
      "[CVE-2025-22871](https://nvd.nist.gov/vuln/detail/CVE-2025-22871)",
      "CRITICAL",
      "stdlib",
      "go1.24.1",
      "1.23.8, 1.24.2",
      expect.any(String), // where: the binary's path (Grype's location)
      expect.stringMatching(/^The net\/http package improperly accepts a bare LF/),
    ]);
    // An Alpine match links its own data source and takes the description from the related NVD record.
    expect(rows[2]![0]).toBe("[CVE-2025-9230](https://security.alpinelinux.org/vuln/CVE-2025-9230)");
    expect(rows[2]![5]).toBe("/lib/apk/db/installed, layer sha256:222222222222...");
    expect(rows[2]![6]).toMatch(/^Issue summary: An application trying to decrypt CMS messages/);
    expect(rows[4]![0]).toBe("[GHSA-hcg3-q754-cr77](https://github.com/advisories/GHSA-hcg3-q754-cr77)");
    // Below the cutoff (musl, Medium) and unfixed (zlib, in ignoredMatches): not listed.
    expect(issue.body).not.toContain("musl");
    expect(issue.body).not.toContain("zlib");
    expect(issue.body).toMatch(/go\.mod change cannot fix it/);
    expect(issue.body).toContain("base image digest");
    expect(issue.body).toMatch(/\.grype\.yaml.*# WHY:.*# TODO\(YYYY-MM-DD\):.*no expiry.*relay-security validate/);
  });

  it("open issue: unchanged on the same findings, edited in place when they change", () => {
    seed();
    expect(issues({ RUN_URL: "https://github.com/acme/widget/actions/runs/9999" }).stdout).toBe("grype-image: unchanged #1\n");
    expect(r.gh.writeCalls()).toEqual([]);
    const report = grypeFindingsReport();
    report.matches.push(grypeMatch("CVE-2025-31115", { severity: "Critical", name: "xz-libs", fixed: ["5.8.1-r0"] }));
    findings(report);
    expect(issues().stdout).toBe("grype-image: updated #1, commented on what is new\n");
    expect(r.gh.writeCalls()).toEqual([
      ["issue", "edit", "1", "--title", TITLE, "--body-file", expect.any(String)],
      ["issue", "comment", "1", "--body-file", expect.any(String)],
    ]);
    expect(r.gh.issue(1).comments[0]!.body).toContain("CVE-2025-31115 (CRITICAL) in xz-libs");
    expect(tableRows(r.gh.issue(1).body).map((row) => cells(row)[2]).slice(0, 2)).toEqual(["stdlib", "xz-libs"]);
    expect(r.gh.state().issues).toHaveLength(1);
  });

  it("a new match below the cutoff or without a fix is no change to the issue", () => {
    seed();
    const report = grypeFindingsReport();
    report.matches.push(grypeMatch("CVE-2099-0001", { severity: "Critical", state: "not-fixed" }));
    report.matches.push(grypeMatch("CVE-2099-0002", { severity: "Low" }));
    findings(report);
    expect(issues().stdout).toBe("grype-image: unchanged #1\n");
    expect(r.gh.writeCalls()).toEqual([]);
  });

  it("clean: closes the open issue with a comment linking the run; then reopens it when findings come back", () => {
    seed();
    r.writeResult("grype-image", "clean", fixture("grype-image-clean.json"));
    expect(issues().stdout).toBe("grype-image: closed #1\n");
    expect(r.gh.issue(1)).toMatchObject({ state: "CLOSED", stateReason: "COMPLETED", comments: [{ body: cleanComment("grype-image") }] });
    findings();
    expect(issues().stdout).toBe("grype-image: reopened #1\n");
    expect(r.gh.issue(1).state).toBe("OPEN");
  });

  it("the policy filter: only fixed matches at or above SEVERITY_CUTOFF become rows", () => {
    findings(
      grypeReport([
        grypeMatch("CVE-2099-0001", { severity: "Critical", state: "not-fixed" }),
        grypeMatch("CVE-2099-0002", { severity: "High", state: "wont-fix" }),
        grypeMatch("CVE-2099-0003", { severity: "High" }),
        grypeMatch("CVE-2099-0004", { severity: "Medium" }),
        grypeMatch("CVE-2099-0005", { severity: "Unknown" }),
      ]),
    );
    issues();
    expect(tableRows(r.gh.issue(1).body).map((row) => cells(row)[0])).toEqual([expect.stringContaining("CVE-2099-0003")]);
    issues({ SEVERITY_CUTOFF: "medium" });
    expect(tableRows(r.gh.issue(1).body).map((row) => cells(row)[1])).toEqual(["HIGH", "MEDIUM"]);
  });

  it("a match found at two locations (two Go binaries) is one row", () => {
    const m = grypeMatch("CVE-2099-0001", { name: "stdlib", type: "go-module", version: "go1.24.1", fixed: ["1.24.2"] });
    findings(grypeReport([m, { ...m, artifact: { ...m.artifact, locations: [{ path: "/usr/local/bin/other" }] } }]));
    issues();
    expect(tableRows(r.gh.issue(1).body)).toHaveLength(1);
    expect(r.gh.issue(1).body).toContain("1 in the Go standard library of a binary");
  });

  it("hostile package names, versions and descriptions stay inert in the body", () => {
    const pwned = (n: number) => join(r.root, `pwned${n}`);
    findings(
      grypeReport([
        grypeMatch("CVE-2025-0001", {
          severity: "Critical",
          name: `evil\`touch ${pwned(1)}\`|pkg`,
          version: `$(touch ${pwned(2)})`,
          fixed: [`1.0\n${marker("govulncheck")}\n`],
          description: `a | b \${{ github.token }} '$(touch ${pwned(3)})' --> <!-- x --> <script>alert(1)</script> ping @octocat\nsecond line`,
        }),
        grypeMatch("CVE-2025-0002](https://evil.example/x)", { dataSource: "javascript:alert(1)", description: "-->" }),
      ]),
    );
    const run = issues();
    expect(run.status).toBe(0);
    expect([1, 2, 3].map((n) => existsSync(pwned(n)))).toEqual([false, false, false]);
    expect(readdirSync(r.cwd)).toEqual([]);
    const body = r.gh.issue(1).body;
    const lines = body.split("\n");
    expect(hiddenLines(body)).toEqual([lines[0], lines[2], lines[3], lines.at(-2)]);
    expect(body.match(/-->/g)).toHaveLength(4);
    expect(lines.filter((l) => l === marker("govulncheck"))).toEqual([]);
    expect(body).not.toContain("<script>");
    expect(body).not.toContain("javascript:");
    expect(body).not.toMatch(/@octocat/);
    const rows = tableRows(body).map(cells);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toHaveLength(7);
    expect(rows[0]![2]).toBe(`evil\\\`touch ${pwned(1)}\\\`\\|pkg`); // backticks escaped: no code span
    expect(rows[1]![0]).toBe("CVE-2025-0002\\](https:\u200b//evil.example/x)"); // not a link, and no bare URL either
  });

  it("500 matches: the body stays under GitHub's limit and says how many were cut", () => {
    const sev = ["Critical", "High"];
    findings(
      grypeReport(
        Array.from({ length: 500 }, (_, i) =>
          grypeMatch(`CVE-2025-${10000 + i}`, { severity: sev[i % 2], name: `package-with-a-long-name-${i}`, description: `A long description ${i} `.padEnd(300, "x") }),
        ),
      ),
    );
    expect(issues().stdout).toBe("grype-image: created #1\n");
    const body = r.gh.issue(1).body;
    expect(Buffer.byteLength(body)).toBeLessThan(65_536);
    const shown = tableRows(body).length;
    expect(shown).toBeLessThan(500);
    expect(body).toContain(`${500 - shown} more findings not shown`);
  });

  it.each([
    ["missing", undefined, /results\.json is missing or empty/],
    ["not JSON", "grype: fatal error\n", /is not a Grype JSON report/],
    ["a Trivy report", fixture("trivy-image-findings.json"), /is not a Grype JSON report/],
  ])("status findings but results.json %s: ::error:: for that target, the others still run", (_name, results, message) => {
    r.writeResult("grype-image", "findings", results);
    r.writeResult("govulncheck", "clean");
    const run = issues({ TARGETS: "grype-image govulncheck" });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^::error::grype-image: .*${message.source}`, "m"));
    expect(run.stdout).toContain("govulncheck: nothing to do");
    expect(r.gh.state().issues).toEqual([]);
  });

  it("without a valid SEVERITY_CUTOFF a grype target is refused, not reported with a guessed policy", () => {
    findings();
    for (const cutoff of [undefined, "HIGH,CRITICAL"]) {
      const run = issues({ SEVERITY_CUTOFF: cutoff });
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/^::error::grype-image: SEVERITY_CUTOFF must be/m);
    }
    expect(r.gh.state().issues).toEqual([]);
  });

  it("decide and the issue agree on what counts (the same filter on the same report)", () => {
    const report = grypeFindingsReport();
    report.matches.push(grypeMatch("CVE-2099-0001", { severity: "Critical", state: "not-fixed" }), grypeMatch("CVE-2099-0002", { severity: "Low" }));
    findings(report);
    issues();
    const rows = tableRows(r.gh.issue(1).body).length;
    writeFileSync(join(r.cwd, "grype-results.json"), json(report));
    const run = r.run(lifecycleScripts().grypeDecide, { RESULTS_FILE: "grype-results.json", OUT_DIR: "out", SEVERITY_CUTOFF: "high" });
    expect(run.stdout).toContain(`found ${rows} fixed vulnerabilities`);
  });
});

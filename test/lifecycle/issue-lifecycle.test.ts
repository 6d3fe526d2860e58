import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeIssue, type FakeIssue } from "../support/fake-gh.js";
import { cells, fixture, IMAGE_REF, marker, MODULE_PATH, REPO, RUN_URL, Runner, tableRows } from "../support/lifecycle.js";
import { findingsReport, json, osReport, vuln } from "../support/trivy-report.js";

const TRIVY_TITLE = `Security scan: vulnerabilities in image ${IMAGE_REF}`;
const GOVULNCHECK_TITLE = `Security scan: govulncheck findings in ${MODULE_PATH}`;
const LIST_CALL = ["issue", "list", "--state", "all", "--limit", "1000", "--json", "number,state,body"];

describe("issue-lifecycle.sh", () => {
  let r: Runner;
  beforeEach(() => {
    r = new Runner();
  });
  afterEach(() => r.cleanup());

  const trivyFindings = (report: unknown = findingsReport()) => r.writeResult("trivy-image", "findings", json(report));
  /** Run once on an empty repository so that our issue exists with a real body, then start a fresh log. */
  const seedOurIssue = (): FakeIssue => {
    trivyFindings();
    expect(r.issues().stdout).toContain("trivy-image: created #1");
    r.gh.clearLog();
    return r.gh.issue(1);
  };
  const withIssues = (issues: FakeIssue[]) => r.gh.setState({ ...r.gh.state(), issues });

  describe("findings", () => {
    it("no issue yet: creates the label first, then the issue with marker, fingerprint and a ranked table", () => {
      trivyFindings();
      r.writeResult("grype-image", "findings", "{}"); // not in TARGETS: ignored
      const run = r.issues();
      expect(run.status).toBe(0);
      expect(run.stdout).toBe("trivy-image: created #1\ngovulncheck: no results (the scan failed or did not run): nothing to do\n");
      expect(r.gh.calls().map((c) => c.argv)[0]).toEqual(LIST_CALL);
      const writes = r.gh.writeCalls();
      expect(writes.map((w) => w.slice(0, 2).join(" "))).toEqual(["label create", "issue create"]);
      expect(writes[0]).toEqual(expect.arrayContaining(["security", "--force"]));
      expect(writes[1]).toEqual(expect.arrayContaining(["--title", TRIVY_TITLE, "--label", "security", "--body-file"]));

      const issue = r.gh.issue(1);
      expect(issue).toMatchObject({ title: TRIVY_TITLE, state: "OPEN", labels: ["security"] });
      const lines = issue.body.split("\n");
      expect(lines[0]).toBe(marker("trivy-image"));
      expect(lines[1]).toBe("");
      expect(lines[2]).toMatch(/^<!-- relay-security:fingerprint=[0-9a-f]{64} -->$/);
      expect(issue.body).toContain(`[this run](${RUN_URL})`);
      expect(issue.body).toContain("6 vulnerabilities");

      const rows = tableRows(issue.body).map(cells);
      expect(rows.map((c) => [c[1], c[2]])).toEqual([
        ["CRITICAL", "stdlib"],
        ["HIGH", "golang.org/x/crypto"],
        ["HIGH", "stdlib"],
        ["HIGH", "libcrypto3"],
        ["HIGH", "libssl3"],
        ["MEDIUM", "musl"],
      ]);
      expect(rows[0]).toEqual([
        "[CVE-2025-22871](https://avd.aquasec.com/nvd/cve-2025-22871)",
        "CRITICAL",
        "stdlib",
        "v1.24.1",
        "1.23.8, 1.24.2",
        "net/http: Request smuggling due to acceptance of invalid chunked data in net/http",
      ]);
      // What to do, for each kind of finding present.
      expect(issue.body).toMatch(/builder.*go\.mod cannot fix it|go\.mod change cannot fix it/);
      expect(issue.body).toContain("base image digest");
      expect(issue.body).toMatch(/\.trivyignore.*# WHY:.*# TODO\(YYYY-MM-DD\):.*exp:/);
    });

    it("open issue, same findings: no edit (a new run link alone is no change)", () => {
      seedOurIssue();
      const run = r.issues({ RUN_URL: "https://github.com/acme/widget/actions/runs/9999" });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain("trivy-image: unchanged #1");
      expect(r.gh.writeCalls()).toEqual([]);
    });

    it("open issue, changed findings: edits the body in place (no new issue, no comment)", () => {
      seedOurIssue();
      const report = findingsReport();
      report.Results![0]!.Vulnerabilities!.push(
        vuln({ VulnerabilityID: "CVE-2025-31115", PkgName: "xz-libs", Severity: "CRITICAL", Title: "xz: Threaded decoder use-after-free" }),
      );
      trivyFindings(report);
      const run = r.issues();
      expect(run.stdout).toContain("trivy-image: updated #1");
      expect(r.gh.writeCalls()).toEqual([["issue", "edit", "1", "--title", TRIVY_TITLE, "--body-file", expect.any(String)]]);
      const issue = r.gh.issue(1);
      expect(issue.comments).toEqual([]);
      expect(cells(tableRows(issue.body)[0]!)[2]).toBe("stdlib"); // CVE-2025-22871 < CVE-2025-31115 among CRITICAL
      expect(cells(tableRows(issue.body)[1]!)[2]).toBe("xz-libs");
      expect(r.gh.state().issues).toHaveLength(1);
    });

    it("closed issue: updates the body, then reopens it with a comment linking the run", () => {
      const ours = seedOurIssue();
      withIssues([{ ...ours, state: "CLOSED", stateReason: "COMPLETED" }]);
      const run = r.issues();
      expect(run.stdout).toContain("trivy-image: reopened #1");
      const writes = r.gh.writeCalls();
      expect(writes.map((w) => w.slice(0, 3).join(" "))).toEqual(["issue edit 1", "issue reopen 1"]);
      const issue = r.gh.issue(1);
      expect(issue.state).toBe("OPEN");
      expect(issue.comments).toHaveLength(1);
      expect(issue.comments[0]!.body).toContain(RUN_URL);
    });

    it("prefers an open match (lowest number), else the newest closed one", () => {
      const body = seedOurIssue().body;
      const ours = (n: number, state: "OPEN" | "CLOSED") => fakeIssue(n, { body, title: TRIVY_TITLE, state });
      withIssues([ours(3, "CLOSED"), ours(5, "OPEN"), ours(8, "OPEN"), ours(9, "CLOSED")]);
      expect(r.issues().stdout).toContain("trivy-image: unchanged #5");
      withIssues([ours(3, "CLOSED"), ours(9, "CLOSED"), ours(6, "CLOSED")]);
      expect(r.issues().stdout).toContain("trivy-image: reopened #9");
      expect(r.gh.issue(3).state).toBe("CLOSED");
    });

    it("finds our issue when it is older than the 30 newest (gh issue list's default limit)", () => {
      const ours = seedOurIssue();
      const others = Array.from({ length: 40 }, (_, i) => fakeIssue(i + 2, { labels: ["security"] }));
      withIssues([ours, ...others]);
      expect(r.issues().stdout).toContain("trivy-image: unchanged #1");
      withIssues([{ ...ours, state: "CLOSED" }, ...others]);
      expect(r.issues().stdout).toContain("trivy-image: reopened #1");
      expect(r.gh.state().issues).toHaveLength(41);
    });

    it("finds an issue created a minute ago (the search index would not have it yet)", () => {
      r.gh.setState({ repo: REPO, now: "2025-06-01T12:00:00Z", labels: [] });
      trivyFindings();
      r.issues();
      r.gh.setState({ ...r.gh.state(), now: "2025-06-01T12:01:00Z" });
      expect(r.issues().stdout).toContain("trivy-image: unchanged #1");
      const lists = r.gh.calls().filter((c) => c.argv[1] === "list");
      expect(lists.every((c) => !c.argv.some((a) => /^--(search|label)|^-[Sl]/.test(a)))).toBe(true);
    });

    it("ignores issues that quote the marker's words but not the exact marker line", () => {
      r.gh.setState({
        repo: REPO,
        labels: [{ name: "security" }],
        issues: [
          fakeIssue(1, { body: "Why does the bot write `<!-- relay-security:trivy-image -->` into issues?" }),
          fakeIssue(2, { body: "<!-- relay-security:trivy-image --> (copied)\n" }),
          fakeIssue(3, { body: "<!-- relay-security:trivy-image-old -->\n\nolder tool" }),
          fakeIssue(4, { body: " <!-- relay-security:trivy-image -->" }),
        ],
      });
      trivyFindings();
      expect(r.issues().stdout).toContain("trivy-image: created #5");
      expect(r.gh.writeCalls().filter((w) => w[1] !== "create")).toEqual([]);
      r.writeResult("trivy-image", "clean");
      r.gh.setState({ ...r.gh.state(), issues: r.gh.state().issues.filter((i) => i.number !== 5) });
      r.gh.clearLog();
      expect(r.issues().stdout).toContain("trivy-image: nothing to do");
      expect(r.gh.writeCalls()).toEqual([]);
    });

    it("matches the marker line in a body GitHub stored with CRLF line endings", () => {
      const ours = seedOurIssue();
      withIssues([{ ...ours, body: ours.body.replace(/\n/g, "\r\n") }]);
      expect(r.issues().stdout).toContain("trivy-image: unchanged #1");
    });
  });

  describe("clean", () => {
    it("open issue: closes it as completed with a comment linking the run", () => {
      seedOurIssue();
      r.writeResult("trivy-image", "clean", fixture("trivy-image-clean.json"));
      const run = r.issues();
      expect(run.status).toBe(0);
      expect(run.stdout).toContain("trivy-image: closed #1");
      expect(r.gh.writeCalls()).toEqual([["issue", "close", "1", "--reason", "completed", "--comment", `Scan is clean as of ${RUN_URL}`]]);
      expect(r.gh.issue(1)).toMatchObject({ state: "CLOSED", stateReason: "COMPLETED", comments: [{ body: `Scan is clean as of ${RUN_URL}` }] });
    });

    it("no issue, or only a closed one: no write calls at all", () => {
      r.writeResult("trivy-image", "clean", fixture("trivy-image-clean.json"));
      expect(r.issues().stdout).toContain("trivy-image: nothing to do");
      expect(r.gh.writeCalls()).toEqual([]);
      const ours = seedOurIssue();
      withIssues([{ ...ours, state: "CLOSED" }]);
      r.writeResult("trivy-image", "clean", fixture("trivy-image-clean.json"));
      expect(r.issues().stdout).toContain("trivy-image: nothing to do");
      expect(r.gh.writeCalls()).toEqual([]);
    });
  });

  describe("scanner text is data, never shell or markup", () => {
    it("hostile titles, package names and versions stay inert in the body", () => {
      const pwned = (n: number) => join(r.root, `pwned${n}`);
      const report = osReport([
        vuln({
          VulnerabilityID: "CVE-2025-0001",
          Severity: "CRITICAL",
          PkgName: `evil\`touch ${pwned(1)}\`|pkg`,
          InstalledVersion: `$(touch ${pwned(2)})`,
          FixedVersion: `1.0\n${marker("govulncheck")}\n`,
          Title: `a | b \${{ github.token }} '$(touch ${pwned(3)})' "\`id\`" --> <!-- x --> <script>alert(1)</script> ping @octocat\nsecond line`,
        }),
        vuln({ VulnerabilityID: "CVE-2025-0002](https://evil.example/x)", PrimaryURL: "javascript:alert(1)", Title: "-->" }),
      ]);
      trivyFindings(report);
      const run = r.issues();
      expect(run.status).toBe(0);
      expect([1, 2, 3].map((n) => existsSync(pwned(n)))).toEqual([false, false, false]);
      expect(readdirSync(r.cwd)).toEqual([]);

      const body = r.gh.issue(1).body;
      const lines = body.split("\n");
      // Only our two hidden lines are comments; nothing from the scanner can open or close one.
      expect(lines.filter((l) => l.includes("<!--"))).toEqual([lines[0], lines[2]]);
      expect(body.match(/-->/g)).toHaveLength(2);
      expect(lines.filter((l) => l === marker("govulncheck"))).toEqual([]);
      expect(body).not.toContain("<script>");
      expect(body).toContain("${{ github.token }}");
      expect(body).toContain(`$(touch ${pwned(3)})`);
      expect(body).not.toMatch(/@octocat/); // no mention

      const rows = tableRows(body);
      expect(rows).toHaveLength(2);
      for (const row of rows) expect(cells(row)).toHaveLength(6);
      const [first, second] = rows.map(cells);
      expect(first![2]).toBe(`evil\`touch ${pwned(1)}\`\\|pkg`);
      expect(first![5]).toContain("second line");
      expect(second![0]).toBe("CVE-2025-0002\\](https://evil.example/x)"); // not a link: the bracket is escaped
      expect(body).not.toContain("javascript:");
    });
  });

  describe("body size", () => {
    it("500 findings: the body stays under GitHub's limit and says how many were cut", () => {
      const sev = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];
      const vulns = Array.from({ length: 500 }, (_, i) =>
        vuln({
          VulnerabilityID: `CVE-2025-${String(10000 + i)}`,
          PkgName: `package-with-a-long-name-${i}`,
          Severity: sev[(i * 7) % 4],
          Title: `A long advisory title number ${i} `.padEnd(300, "x"),
        }),
      );
      trivyFindings(osReport(vulns));
      const run = r.issues();
      expect(run.status).toBe(0);
      expect(run.stdout).toContain("trivy-image: created #1");
      const body = r.gh.issue(1).body;
      expect(body.length).toBeLessThan(60_000);
      expect(Buffer.byteLength(body)).toBeLessThan(65_536);
      const shown = tableRows(body).length;
      expect(shown).toBeGreaterThan(50);
      expect(shown).toBeLessThan(500);
      expect(body).toContain(`${500 - shown} more findings not shown`);
      expect(body).toContain("500 vulnerabilities");
      // The cut keeps the most severe: every CRITICAL (125) is shown before any lower rank.
      const severities = tableRows(body).map((row) => cells(row)[1]);
      expect(severities.slice(0, 125).every((s) => s === "CRITICAL")).toBe(true);
      expect(body).toMatch(/### What to do/);
    });

    it("keeps the title under 256 characters", () => {
      trivyFindings();
      r.issues({ IMAGE_REF: `ghcr.io/acme/${"a".repeat(400)}` });
      expect(r.gh.issue(1).title.length).toBeLessThanOrEqual(256);
    });
  });

  describe("missing or broken results", () => {
    it.each([
      ["missing", undefined],
      ["empty", ""],
      ["not JSON", "trivy: fatal error\n"],
      ["not a Trivy report", JSON.stringify({ runs: [] })],
    ])("status findings but results.json %s: ::error:: for that target, the others still run, exit 1", (_name, results) => {
      r.writeResult("trivy-image", "findings", results);
      r.writeResult("govulncheck", "findings", fixture("govulncheck-called-and-imported.json"));
      const run = r.issues();
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/^::error::trivy-image: .*results\.json/m);
      expect(run.stdout).toContain("govulncheck: created #1");
      expect(r.gh.state().issues.map((i) => i.title)).toEqual([GOVULNCHECK_TITLE]);
    });

    it("a scan that did not run or did not finish (no folder, no status): nothing to do, exit 0", () => {
      r.writeResult("govulncheck", undefined);
      const run = r.issues();
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(
        "trivy-image: no results (the scan failed or did not run): nothing to do\ngovulncheck: no status (the scan did not finish): nothing to do\n",
      );
      expect(r.gh.calls()).toEqual([]);
    });

    it("an unknown status or a target with no known format fails that target only", () => {
      r.writeResult("trivy-image", "maybe", fixture("trivy-image-findings.json"));
      r.writeResult("snyk-image", "findings", "{}");
      r.writeResult("govulncheck", "clean");
      const run = r.issues({ TARGETS: "trivy-image snyk-image govulncheck" });
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/^::error::trivy-image: unknown status 'maybe'/m);
      expect(run.stdout).toMatch(/^::error::snyk-image: no report format/m);
      expect(run.stdout).toContain("govulncheck: nothing to do");
    });

    it("a failing gh call stops that target only, and the job fails", () => {
      seedOurIssue();
      r.gh.setState({ ...r.gh.state(), fail: [{ command: "issue close", stderr: "HTTP 502: Bad Gateway", exit: 1 }] });
      r.writeResult("trivy-image", "clean");
      r.writeResult("govulncheck", "findings", fixture("govulncheck-called-and-imported.json"));
      const run = r.issues();
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("HTTP 502");
      expect(run.stdout).toMatch(/^::error::trivy-image: stopped with exit code 1/m);
      expect(run.stdout).toContain("govulncheck: created #2");
    });

    it("refuses to run without GH_TOKEN or a repository", () => {
      trivyFindings();
      expect(r.issues({ GH_TOKEN: undefined }).status).not.toBe(0);
      const noRepo = r.issues({ GH_REPO: undefined });
      expect(noRepo.status).toBe(1);
      expect(noRepo.stdout).toContain("::error::GH_REPO");
      expect(r.gh.calls()).toEqual([]);
    });
  });

  describe("govulncheck", () => {
    it("lists only called vulnerabilities, one row per OSV ID, with the called functions", () => {
      r.writeResult("govulncheck", "findings", fixture("govulncheck-called-and-imported.json"));
      const run = r.issues({ TARGETS: "govulncheck" });
      expect(run.stdout).toBe("govulncheck: created #1\n");
      const issue = r.gh.issue(1);
      expect(issue.title).toBe(GOVULNCHECK_TITLE);
      expect(issue.body.split("\n")[0]).toBe(marker("govulncheck"));
      const rows = tableRows(issue.body).map(cells);
      expect(rows.map((c) => c[0])).toEqual([
        "[GO-2025-3487](https://pkg.go.dev/vuln/GO-2025-3487)",
        "[GO-2025-3563](https://pkg.go.dev/vuln/GO-2025-3563)",
      ]);
      expect(rows[0]).toEqual([
        expect.any(String),
        "golang.org/x/crypto",
        "v0.31.0",
        "v0.35.0",
        "golang.org/x/crypto/ssh.NewServerConn, golang.org/x/crypto/ssh.ServerConfig.Accept",
        expect.stringContaining("SSH servers"), // no summary in the OSV entry: its details
      ]);
      expect(rows[1]!.slice(1, 5)).toEqual(["stdlib", "v1.24.1", "v1.24.2", "net/http/internal.chunkedReader.Read"]);
      expect(issue.body).not.toContain("GO-2025-3488"); // imported, not called
      expect(issue.body).not.toContain("GO-2024-2687"); // required, not imported
      expect(issue.body).toMatch(/toolchain/);
    });

    it("each target keeps its own issue: a clean govulncheck closes only its own", () => {
      trivyFindings();
      r.writeResult("govulncheck", "findings", fixture("govulncheck-called-and-imported.json"));
      expect(r.issues().stdout).toBe("trivy-image: created #1\ngovulncheck: created #2\n");
      r.writeResult("govulncheck", "clean", fixture("govulncheck-clean.json"));
      expect(r.issues().stdout).toBe("trivy-image: unchanged #1\ngovulncheck: closed #2\n");
      expect(r.gh.state().issues.map((i) => [i.number, i.state])).toEqual([
        [1, "OPEN"],
        [2, "CLOSED"],
      ]);
    });
  });
});

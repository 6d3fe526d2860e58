import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeIssue, type FakeIssue } from "../support/fake-gh.js";
import { cells, cleanComment, fixture, hiddenLines, IMAGE_REF, marker, MODULE_PATH, REPO, RUN_URL, Runner, tableRows } from "../support/lifecycle.js";
import { findingsReport, json, osReport, vuln } from "../support/trivy-report.js";

const TRIVY_TITLE = `Security scan: vulnerabilities in image ${IMAGE_REF}`;
const GOVULNCHECK_TITLE = `Security scan: govulncheck findings in ${MODULE_PATH}`;
const LIST_CALL = ["api", "--paginate", `repos/${REPO}/issues?state=all&labels=security&per_page=100`];

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
    it("no issue yet: creates the label first, then the issue with marker, managed region, state line and a ranked table", () => {
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
      expect(lines[2]).toBe("<!-- relay-security:begin -->");
      expect(lines[3]).toMatch(/^<!-- relay-security:state v2 findings=[0-9a-f]{64} region=[0-9a-f]{64} keys=[0-9,]+ -->$/);
      expect(lines.at(-2)).toBe("<!-- relay-security:end -->");
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
        "usr/local/bin/app, layer sha256:444444444444...", // the Trivy target: which binary, which layer
        "net/http: Request smuggling due to acceptance of invalid chunked data in net/http",
      ]);
      expect(rows[3]![5]).toBe("ghcr.io/acme/widget:main (alpine 3.22.1), layer sha256:222222222222...");
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

    it("open issue, a new finding: edits the body in place and comments on what is new (an edit notifies nobody)", () => {
      seedOurIssue();
      const report = findingsReport();
      report.Results![0]!.Vulnerabilities!.push(
        vuln({ VulnerabilityID: "CVE-2025-31115", PkgName: "xz-libs", Severity: "CRITICAL", Title: "xz: Threaded decoder use-after-free" }),
      );
      trivyFindings(report);
      const run = r.issues();
      expect(run.stdout).toContain("trivy-image: updated #1, commented on what is new");
      expect(r.gh.writeCalls()).toEqual([
        ["issue", "edit", "1", "--title", TRIVY_TITLE, "--body-file", expect.any(String)],
        ["issue", "comment", "1", "--body-file", expect.any(String)],
      ]);
      const issue = r.gh.issue(1);
      expect(issue.comments).toHaveLength(1);
      expect(issue.comments[0]!.body).toBe(
        `<!-- relay-security:trivy-image:new -->\nNew since the last scan ([run](${RUN_URL})): **1 new finding**\n\n- CVE-2025-31115 (CRITICAL) in xz-libs\n`,
      );
      expect(cells(tableRows(issue.body)[0]!)[2]).toBe("stdlib"); // CVE-2025-22871 < CVE-2025-31115 among CRITICAL
      expect(cells(tableRows(issue.body)[1]!)[2]).toBe("xz-libs");
      expect(r.gh.state().issues).toHaveLength(1);
    });

    it("open issue, a finding gone (nothing new): edits the body, no comment", () => {
      seedOurIssue();
      const report = findingsReport();
      report.Results![0]!.Vulnerabilities!.pop();
      trivyFindings(report);
      expect(r.issues().stdout).toBe("trivy-image: updated #1\ngovulncheck: no results (the scan failed or did not run): nothing to do\n");
      expect(r.gh.writeCalls().map((w) => w.slice(0, 2).join(" "))).toEqual(["issue edit"]);
    });

    it("closed by us after a clean scan: updates the body, then reopens it with a comment listing the findings", () => {
      const ours = seedOurIssue();
      withIssues([{ ...ours, state: "CLOSED", stateReason: "COMPLETED", closedBy: "github-actions[bot]" }]);
      const run = r.issues();
      expect(run.stdout).toContain("trivy-image: reopened #1");
      const writes = r.gh.writeCalls();
      expect(writes.map((w) => w.slice(0, 3).join(" "))).toEqual(["issue edit 1", "issue reopen 1", "issue comment 1"]);
      const issue = r.gh.issue(1);
      expect(issue.state).toBe("OPEN");
      expect(issue.comments).toHaveLength(1);
      expect(issue.comments[0]!.body).toContain(`The scheduled security scan finds vulnerabilities again ([run](${RUN_URL})): **6 new findings**`);
      expect(issue.comments[0]!.body).toContain("- CVE-2025-22871 (CRITICAL) in stdlib");
    });

    it("prefers an open match (lowest number), else the newest closed one", () => {
      const body = seedOurIssue().body;
      const ours = (n: number, state: "OPEN" | "CLOSED") =>
        fakeIssue(n, { body, title: TRIVY_TITLE, state, labels: ["security"], closedBy: state === "CLOSED" ? "github-actions[bot]" : null });
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
      withIssues([{ ...ours, state: "CLOSED", closedBy: "github-actions[bot]" }, ...others]);
      expect(r.issues().stdout).toContain("trivy-image: reopened #1");
      expect(r.gh.state().issues).toHaveLength(41);
    });

    it("1,500 labelled issues and pull requests, ours the oldest: pages through all of them, no duplicate", () => {
      const ours = seedOurIssue();
      const others = Array.from({ length: 1500 }, (_, i) =>
        fakeIssue(i + 2, { labels: ["security"], pullRequest: i % 3 === 0, body: i % 3 === 0 ? ours.body : "other" }),
      );
      withIssues([ours, ...others]);
      const run = r.issues();
      expect(run.stdout).toContain("trivy-image: unchanged #1");
      expect(r.gh.state().issues).toHaveLength(1501);
      const [list] = r.gh.calls();
      expect(list).toMatchObject({ argv: LIST_CALL, requests: 16 }); // 1,501 items, 100 a page
      // A pull request that carries our marker (all 500 here) is never taken for our issue.
      expect(r.gh.writeCalls()).toEqual([]);
      expect(run.stderr).toContain("API calls: 1 gh calls");
    });

    it("reads gh's paginated output whether it prints one array per page or one merged array", () => {
      const ours = seedOurIssue();
      withIssues([ours, ...Array.from({ length: 250 }, (_, i) => fakeIssue(i + 2, { labels: ["security"] }))]);
      r.gh.setState({ ...r.gh.state(), paginateMerged: true });
      expect(r.issues().stdout).toContain("trivy-image: unchanged #1");
      r.gh.setState({ ...r.gh.state(), paginateMerged: false });
      expect(r.issues().stdout).toContain("trivy-image: unchanged #1");
    });

    it("finds an issue created a minute ago (the search index would not have it yet)", () => {
      r.gh.setState({ repo: REPO, now: "2025-06-01T12:00:00Z", labels: [] });
      trivyFindings();
      r.issues();
      r.gh.setState({ ...r.gh.state(), now: "2025-06-01T12:01:00Z" });
      expect(r.issues().stdout).toContain("trivy-image: unchanged #1");
      expect(r.gh.calls().filter((c) => c.argv[1] === "list" || c.argv[0] === "search")).toEqual([]);
    });

    it("ignores issues that quote the marker's words but not the exact marker line", () => {
      r.gh.setState({
        repo: REPO,
        labels: [{ name: "security" }],
        issues: [
          fakeIssue(1, { labels: ["security"], body: "Why does the bot write `<!-- relay-security:trivy-image -->` into issues?" }),
          fakeIssue(2, { labels: ["security"], body: "<!-- relay-security:trivy-image --> (copied)\n" }),
          fakeIssue(3, { labels: ["security"], body: "<!-- relay-security:trivy-image-old -->\n\nolder tool" }),
          fakeIssue(4, { labels: ["security"], body: " <!-- relay-security:trivy-image -->" }),
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
      expect(r.gh.writeCalls()).toEqual([
        ["issue", "comment", "1", "--body-file", expect.any(String)],
        ["issue", "close", "1", "--reason", "completed"],
      ]);
      expect(r.gh.issue(1)).toMatchObject({ state: "CLOSED", stateReason: "COMPLETED", closedBy: "github-actions[bot]", comments: [{ body: cleanComment("trivy-image") }] });
    });

    it("no issue, or only a closed one: no write calls at all", () => {
      r.writeResult("trivy-image", "clean", fixture("trivy-image-clean.json"));
      expect(r.issues().stdout).toContain("trivy-image: nothing to do");
      expect(r.gh.writeCalls()).toEqual([]);
      const ours = seedOurIssue();
      withIssues([{ ...ours, state: "CLOSED", closedBy: "github-actions[bot]" }]);
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
      // Only our four hidden lines are comments; nothing from the scanner can open or close one.
      expect(hiddenLines(body)).toEqual([lines[0], lines[2], lines[3], lines.at(-2)]);
      expect(body.match(/-->/g)).toHaveLength(4);
      expect(lines.filter((l) => l === marker("govulncheck"))).toEqual([]);
      expect(body).not.toContain("<script>");
      expect(body).toContain("${{ github.token }}");
      expect(body).toContain(`$(touch ${pwned(3)})`);
      expect(body).not.toMatch(/@octocat/); // no mention

      const rows = tableRows(body);
      expect(rows).toHaveLength(2);
      for (const row of rows) expect(cells(row)).toHaveLength(7);
      const [first, second] = rows.map(cells);
      expect(first![2]).toBe(`evil\\\`touch ${pwned(1)}\\\`\\|pkg`); // backticks escaped: no code span
      expect(first![6]).toContain("second line");
      expect(second![0]).toBe("CVE-2025-0002\\](https:\u200b//evil.example/x)"); // not a link: the bracket is escaped
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
        // The CVE and GHSA aliases: the same bug in the image scan's issue goes by its CVE.
        "[CVE-2025-22869](https://nvd.nist.gov/vuln/detail/CVE-2025-22869), [GHSA-hcg3-q754-cr77](https://github.com/advisories/GHSA-hcg3-q754-cr77)",
        "golang.org/x/crypto",
        "v0.31.0",
        "v0.35.0",
        "golang.org/x/crypto/ssh.NewServerConn, golang.org/x/crypto/ssh.ServerConfig.Accept",
        // The call site in this module, from the trace: the frame of ours nearest the vulnerable symbol.
        "cmd/widget/main.go:77: serveSSH calls golang.org/x/crypto/ssh.NewServerConn, cmd/widget/main.go:79: serveSSH calls golang.org/x/crypto/ssh.NewServerConn",
        expect.stringContaining("SSH servers"), // no summary in the OSV entry: its details
      ]);
      expect(rows[1]!.slice(1, 7)).toEqual([
        "[CVE-2025-22871](https://nvd.nist.gov/vuln/detail/CVE-2025-22871)",
        "stdlib",
        "v1.24.1",
        "v1.24.2",
        "net/http/internal.chunkedReader.Read",
        "cmd/widget/main.go:41: main calls net/http.ListenAndServe",
      ]);
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

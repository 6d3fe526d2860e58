import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { fakeIssue, type FakeIssue } from "../support/fake-gh.js";
import { BEGIN, BOT, cleanComment, END, fixture, marker, region, RUN_URL, Runner, tableRows } from "../support/lifecycle.js";
import { findingsReport, json, osReport, vuln } from "../support/trivy-report.js";
import { renderedSecurityScan } from "../support/workflow.js";

// Issue 12: whose issue it is, whose text it is, and when the bot may act at all.
describe("issue-lifecycle.sh: ownership, human text and human decisions", () => {
  let r: Runner;
  beforeEach(() => {
    r = new Runner();
  });
  afterEach(() => r.cleanup());

  const trivyFindings = (report: unknown = findingsReport()) => r.writeResult("trivy-image", "findings", json(report));
  const seed = (): FakeIssue => {
    trivyFindings();
    expect(r.issues({ TARGETS: "trivy-image" }).stdout).toBe("trivy-image: created #1\n");
    r.gh.clearLog();
    return r.gh.issue(1);
  };
  const run = (env: Record<string, string | undefined> = {}) => r.issues({ TARGETS: "trivy-image", ...env });
  const withIssues = (issues: FakeIssue[]) => r.gh.setState({ ...r.gh.state(), issues });
  const withNewFinding = () => {
    const report = findingsReport();
    report.Results![0]!.Vulnerabilities!.push(vuln({ VulnerabilityID: "CVE-2025-31115", PkgName: "xz-libs", Severity: "CRITICAL", Title: "xz: use-after-free" }));
    trivyFindings(report);
  };

  describe("1. only the workflow's own issues, with our label, are adopted", () => {
    it.each([
      ["an outsider's issue with the marker and the label", { author: "mallory", authorType: "User" as const, labels: ["security"] }],
      ["another bot's issue", { author: "dependabot[bot]", authorType: "Bot" as const, labels: ["security"] }],
      ["a user called like the bot without [bot]", { author: "github-actions", authorType: "User" as const, labels: ["security"] }],
      ["our bot's issue without our label", { labels: [] }],
    ])("%s: never edited or closed; ours is created beside it", (_name, fields) => {
      const body = seed().body;
      withIssues([fakeIssue(1, { ...fields, body, title: "Security scan: vulnerabilities in image x" })]);
      r.gh.setState({ ...r.gh.state(), labels: [{ name: "security" }] });
      const first = run();
      expect(first.stdout).toBe("trivy-image: created #2\n");
      // Listed by label, so an issue without it is not even seen; one with it is named and left alone.
      if (fields.labels.length > 0) expect(first.stderr).toContain("trivy-image: ignored #1: it has our marker but was not opened by github-actions[bot] with the label security");
      r.writeResult("trivy-image", "clean");
      expect(run().stdout).toBe("trivy-image: closed #2\n");
      expect(r.gh.issue(1)).toMatchObject({ state: "OPEN", body, comments: [] });
    });

    it("a maintainer's (or anyone's) rewrite inside the region that keeps the state line is not 'unchanged': the report is restored", () => {
      const ours = seed();
      const hidden = ours.body.replace(/\| \[CVE-2025-22871\][^\n]*\n/, "");
      withIssues([{ ...ours, body: hidden }]);
      expect(run().stdout).toBe("trivy-image: updated #1\n");
      expect(r.gh.issue(1).body).toBe(ours.body);
      expect(r.gh.writeCalls().map((w) => w.slice(0, 2).join(" "))).toEqual(["issue edit"]); // nothing new: no comment
    });

    it("the same findings with a new title (another image name) are an update", () => {
      seed();
      expect(run({ IMAGE_REF: "ghcr.io/acme/renamed" }).stdout).toBe("trivy-image: updated #1\n");
    });
  });

  describe("2. only the region between our markers is ours", () => {
    const NOTE_ABOVE = "**Triage (alice):** tracked in INC-42, base image bump planned.\n";
    const NOTE_BELOW = "\n> Accepted until the 1.25 upgrade. — bob\n";

    it("notes above and below the region survive an update, a close and a reopen, byte for byte", () => {
      const ours = seed();
      const [head, rest] = [ours.body.slice(0, ours.body.indexOf(BEGIN)), ours.body.slice(ours.body.indexOf(BEGIN))];
      withIssues([{ ...ours, body: `${head}${NOTE_ABOVE}\n${rest}${NOTE_BELOW}` }]);
      withNewFinding();
      expect(run().stdout).toBe("trivy-image: updated #1, commented on what is new\n");
      let body = r.gh.issue(1).body;
      expect(body.startsWith(`${marker("trivy-image")}\n\n${NOTE_ABOVE}\n${BEGIN}\n`)).toBe(true);
      expect(body.endsWith(`${END}\n${NOTE_BELOW}`)).toBe(true);
      expect(region(body)).toContain("xz-libs");

      r.writeResult("trivy-image", "clean");
      expect(run().stdout).toBe("trivy-image: closed #1\n");
      trivyFindings();
      expect(run().stdout).toBe("trivy-image: reopened #1\n");
      body = r.gh.issue(1).body;
      expect(body).toContain(NOTE_ABOVE);
      expect(body.endsWith(`${END}\n${NOTE_BELOW}`)).toBe(true);
      expect(region(body)).not.toContain("xz-libs");
    });

    it("a body a maintainer saved from the browser (CRLF) keeps their lines as they are", () => {
      const ours = seed();
      const crlf = `${ours.body}\nNote from the web editor.\n`.replace(/\n/g, "\r\n");
      withIssues([{ ...ours, body: crlf }]);
      // Same findings: the region's hash is taken without the CR, so nothing changed.
      expect(run().stdout).toBe("trivy-image: unchanged #1\n");
      withNewFinding();
      expect(run().stdout).toBe("trivy-image: updated #1, commented on what is new\n");
      expect(r.gh.issue(1).body.endsWith("\r\nNote from the web editor.\r\n")).toBe(true);
    });

    it("a body that starts with a BOM is still found by its marker, and the BOM stays", () => {
      const ours = seed();
      withIssues([{ ...ours, body: `\uFEFF${ours.body}Note.\n` }]);
      withNewFinding();
      expect(run().stdout).toBe("trivy-image: updated #1, commented on what is new\n");
      expect(r.gh.state().issues).toHaveLength(1);
      expect(r.gh.issue(1).body.startsWith(`\uFEFF${marker("trivy-image")}\n`)).toBe(true);
      expect(r.gh.issue(1).body.endsWith("Note.\n")).toBe(true);
    });

    it("scanner output that is not UTF-8 (a Latin-1 title) is filed with replacement characters, not a crash", () => {
      const text = json(osReport([vuln({ VulnerabilityID: "CVE-2025-0001", Title: "caf\u00e9 overflow" })]));
      r.writeResult("trivy-image", "findings");
      writeFileSync(join(r.resultsDir, "trivy-image", "results.json"), Buffer.from(text, "latin1") /* é as the single byte 0xE9 */);
      expect(run().stdout).toBe("trivy-image: created #1\n");
      expect(tableRows(r.gh.issue(1).body)[0]).toContain("caf\uFFFD overflow");
    });

    it("markers removed by hand: the old text is kept below a fresh region, never deleted", () => {
      const ours = seed();
      const damaged = `${marker("trivy-image")}\n\nWe looked at this on Monday; see the thread.`;
      withIssues([{ ...ours, body: damaged }]);
      expect(run().stdout).toBe("trivy-image: updated #1\n");
      const body = r.gh.issue(1).body;
      expect(body.split("\n")[0]).toBe(marker("trivy-image"));
      expect(body).toContain(BEGIN);
      expect(body.endsWith("We looked at this on Monday; see the thread.")).toBe(true);
    });

    it("a body of the previous format (one fingerprint line, all ours) is replaced by the new layout", () => {
      const ours = seed();
      const v1 = `${marker("trivy-image")}\n\n<!-- relay-security:fingerprint=${"a".repeat(64)} -->\n\nold table\n`;
      withIssues([{ ...ours, body: v1 }]);
      expect(run().stdout).toBe("trivy-image: updated #1\n"); // no comment: the old format had no record of what was reported
      expect(r.gh.issue(1).body).toBe(ours.body);
    });

    it("the footer tells maintainers where to write", () => {
      expect(region(seed().body)).toMatch(/Anything written above or below them is kept on every update and reopen/);
    });
  });

  describe("5. a person's close stands until something new is found", () => {
    it.each([
      ["not planned", "NOT_PLANNED"],
      ["completed", "COMPLETED"],
    ])("closed as %s by a maintainer: three runs with the same findings change nothing; a new finding reopens it with a comment naming it", (words, reason) => {
      const ours = seed();
      withIssues([{ ...ours, state: "CLOSED", stateReason: reason, closedBy: "alice" }]);
      for (let i = 0; i < 3; i++) {
        expect(run().stdout).toBe(`trivy-image: #1 stays closed (closed as ${words} by a maintainer; nothing new since)\n`);
      }
      expect(r.gh.writeCalls()).toEqual([]);
      // One finding gone, none new: still nothing.
      const fewer = findingsReport();
      fewer.Results![0]!.Vulnerabilities!.pop();
      trivyFindings(fewer);
      expect(run().stdout).toContain("stays closed");
      withNewFinding();
      expect(run().stdout).toBe("trivy-image: reopened #1\n");
      const issue = r.gh.issue(1);
      expect(issue.state).toBe("OPEN");
      expect(issue.comments).toHaveLength(1);
      expect(issue.comments[0]!.body).toBe(
        `<!-- relay-security:trivy-image:reopened -->\nReopened: closed as ${words}, but the scan found something new since ([run](${RUN_URL})): **1 new finding**\n\n- CVE-2025-31115 (CRITICAL) in xz-libs\n`,
      );
    });
  });

  describe("6. a comment only when something is new", () => {
    it("new finding: one comment; the same findings on the next runs: none", () => {
      seed();
      withNewFinding();
      run();
      run();
      run({ RUN_URL: "https://github.com/acme/widget/actions/runs/5555" });
      expect(r.gh.issue(1).comments.map((c) => c.body.split("\n")[0])).toEqual(["<!-- relay-security:trivy-image:new -->"]);
    });
  });

  describe("7. issues change only for a scan of the default branch", () => {
    it.each([
      ["a manual run from a feature branch with an empty ref", { GITHUB_EVENT_NAME: "workflow_dispatch", GITHUB_REF_NAME: "feature/x", INPUT_REF: "" }],
      ["a manual run from main with ref set to a feature branch", { GITHUB_EVENT_NAME: "workflow_dispatch", GITHUB_REF_NAME: "main", INPUT_REF: "feature/x" }],
      ["a manual run of a commit", { GITHUB_EVENT_NAME: "workflow_dispatch", GITHUB_REF_NAME: "main", INPUT_REF: "0123abc" }],
      ["no default branch known", { GITHUB_EVENT_NAME: "workflow_dispatch", GITHUB_REF_NAME: "main", DEFAULT_BRANCH: "" }],
    ])("%s: no gh call at all, exit 0", (_name, env) => {
      seed();
      r.writeResult("trivy-image", "clean");
      const out = run(env);
      expect(out.status).toBe(0);
      expect(out.stdout).toMatch(/^This run scanned '.*', not the default branch '.*': its findings are in this run's log and artifacts, and no issue is changed\.\n$/);
      expect(r.gh.calls()).toEqual([]);
      expect(r.gh.issue(1).state).toBe("OPEN");
    });

    it.each([
      ["a manual run from main with an empty ref", { GITHUB_EVENT_NAME: "workflow_dispatch", GITHUB_REF_NAME: "main", INPUT_REF: "" }],
      ["a manual run with ref refs/heads/main", { GITHUB_EVENT_NAME: "workflow_dispatch", GITHUB_REF_NAME: "feature/x", INPUT_REF: "refs/heads/main" }],
      ["a scheduled run", { GITHUB_EVENT_NAME: "schedule", GITHUB_REF_NAME: "main", DEFAULT_BRANCH: "" }],
    ])("%s: acts", (_name, env) => {
      seed();
      r.writeResult("trivy-image", "clean");
      expect(run(env).stdout).toBe("trivy-image: closed #1\n");
    });
  });

  describe("8. closing is idempotent", () => {
    it("the close fails after the clean comment: the re-run closes without posting it again", () => {
      seed();
      r.gh.setState({ ...r.gh.state(), fail: [{ command: "issue close", stderr: "HTTP 502: Bad Gateway", exit: 1, times: 1 }] });
      r.writeResult("trivy-image", "clean");
      const first = run();
      expect(first.status).toBe(1);
      expect(r.gh.issue(1)).toMatchObject({ state: "OPEN", comments: [{ body: cleanComment("trivy-image") }] });
      expect(run().stdout).toBe("trivy-image: closed #1\n");
      expect(r.gh.issue(1)).toMatchObject({ state: "CLOSED", comments: [{ body: cleanComment("trivy-image") }] });
    });

    it("a clean comment from an earlier episode does not stop the next close from commenting", () => {
      seed();
      r.writeResult("trivy-image", "clean");
      run();
      trivyFindings();
      expect(run().stdout).toBe("trivy-image: reopened #1\n");
      r.writeResult("trivy-image", "clean");
      expect(run().stdout).toBe("trivy-image: closed #1\n");
      expect(r.gh.issue(1).comments.map((c) => c.body.split("\n")[0])).toEqual([
        "<!-- relay-security:trivy-image:clean -->",
        "<!-- relay-security:trivy-image:again -->",
        "<!-- relay-security:trivy-image:clean -->",
      ]);
    });

    it("a person's comment that quotes our tag does not count as ours", () => {
      seed();
      const ours = r.gh.issue(1);
      withIssues([{ ...ours, comments: [{ id: 1, body: cleanComment("trivy-image"), createdAt: ours.createdAt, author: "mallory" }] }]);
      r.writeResult("trivy-image", "clean");
      run();
      expect(r.gh.issue(1).comments.filter((c) => c.author === BOT)).toHaveLength(1);
    });
  });

  describe("9. what a triager needs", () => {
    it("commit, image ID, scan time, database date, artifact name and its expiry; which severities were cut", () => {
      r.writeMeta("trivy-image", { commit: "0123456789abcdef0123456789abcdef01234567", scanned_at: "2025-08-02T03:18:05Z", db_updated_at: "2025-08-01T18:04:11Z" });
      const sev = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];
      trivyFindings(
        osReport(
          Array.from({ length: 500 }, (_, i) =>
            vuln({ VulnerabilityID: `CVE-2025-${10000 + i}`, PkgName: `package-${i}`, Severity: sev[i % 4], Title: "t".repeat(300) }),
          ),
        ),
      );
      run();
      const body = r.gh.issue(1).body;
      expect(body).toContain("- **Commit:** `0123456789abcdef0123456789abcdef01234567`");
      expect(body).toContain("- **Image:** `ghcr.io/acme/widget`, ID `sha256:5b0e2c7f3a1d...`");
      // Trivy's own CreatedAt is the scan time; the DB date comes from trivy-action's cache metadata.
      expect(body).toContain("- **Scanned:** 2025-08-02 03:17 UTC by Trivy, with the vulnerability database of 2025-08-01 18:04 UTC");
      expect(body).toContain(
        `- **Full report:** the artifact \`relay-security-results-trivy-image\` of [this run](${RUN_URL}), which GitHub deletes 7 days after the run (on 2025-08-09).`,
      );
      const shown = tableRows(body).length;
      // Ranked, so the cut starts among the HIGH rows (125 of each severity; every CRITICAL fits).
      expect(shown).toBeGreaterThan(125);
      expect(shown).toBeLessThan(250);
      expect(body).toContain(
        `**${500 - shown} more findings not shown** (the issue body is capped): ${250 - shown} HIGH, 125 MEDIUM, 125 LOW; the artifact holds the full report.`,
      );
      expect(Buffer.byteLength(body)).toBeLessThan(65_536);
    });

    it("govulncheck: the database date from its config, the scan time and commit from the job", () => {
      r.writeMeta("govulncheck", { commit: "89abcdef0123456789abcdef0123456789abcdef", scanned_at: "2025-08-02T03:20:00Z" });
      r.writeResult("govulncheck", "findings", fixture("govulncheck-called-and-imported.json"));
      run({ TARGETS: "govulncheck" });
      const body = r.gh.issue(1).body;
      expect(body).toContain("- **Scanned:** 2025-08-02 03:20 UTC by govulncheck, with the vulnerability database of 2025-07-30 18:12 UTC");
      expect(body).not.toContain("**Image:**");
      expect(body).toContain("relay-security-results-govulncheck");
    });

    it("metadata that is not what it claims is left out, not printed", () => {
      r.writeMeta("trivy-image", { commit: "`rm -rf /` #1 @alice", scanned_at: "yesterday", db_updated_at: "<!-- x -->" });
      trivyFindings();
      run();
      const body = r.gh.issue(1).body;
      expect(body).toContain("- **Commit:** not recorded");
      expect(body).toContain("with the vulnerability database of an unrecorded date");
      expect(body).not.toContain("rm -rf");
    });
  });

  describe("3. scanner text cannot reference, mention or spoof", () => {
    it("#123, GH-7, owner/repo#9, @team and bare URLs stay plain text; Cf characters are gone; userinfo URLs are not links", () => {
      trivyFindings(
        osReport([
          vuln({
            VulnerabilityID: "CVE-2025-0001",
            PkgName: "pkg\u202Egnp.exe",
            Title: "see #123, GH-7, gh-8, other/repo#9 and @acme/security at https://evil.example/x \u2066isolated\u2069 \u200Ehidden\u200F \uFEFFbom\u00AD",
            PrimaryURL: "https://github.com@evil.example/advisory",
          }),
          vuln({ VulnerabilityID: "CVE-2025-0002", PrimaryURL: "https://nvd.nist.gov:443/vuln/detail/CVE-2025-0002?x=@y" }),
        ]),
      );
      run();
      const body = r.gh.issue(1).body;
      const rows = tableRows(body);
      const text = rows[0]!;
      for (const ref of ["#123", "GH-7", "gh-8", "other/repo#9", "@acme", "https://evil"]) expect(text).not.toContain(ref);
      expect(text).toContain("#\u200b123");
      expect(text).toContain("GH-\u200b7");
      expect(text).toContain("other/repo#\u200b9");
      expect(text).toContain("https:\u200b//evil.example/x");
      expect(text).toContain("pkggnp.exe");
      expect(text).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\uFEFF\u00AD]/);
      // A URL with userinfo goes elsewhere than it says: the ID links to the advisory page we build instead.
      expect(text).toContain("[CVE-2025-0001](https://nvd.nist.gov/vuln/detail/CVE-2025-0001)");
      expect(body).not.toContain("github.com@evil");
      // An `@` after the host (in the path or query) is not userinfo: the link stands.
      expect(rows[1]).toContain("[CVE-2025-0002](https://nvd.nist.gov:443/vuln/detail/CVE-2025-0002?x=@y)");
    });
  });

  describe("4. API calls", () => {
    it("the run says how many gh calls it made, and that is what reached GitHub", () => {
      seed();
      withNewFinding();
      r.writeResult("govulncheck", "clean");
      const out = run({ TARGETS: "trivy-image govulncheck" });
      expect(out.stderr).toContain(`API calls: ${r.gh.calls().length} gh calls (the issue list: about 1 page(s) of 100).`);
      expect(r.gh.calls().map((c) => c.argv.slice(0, 2).join(" "))).toEqual([
        "api --paginate",
        "issue edit",
        "issue comment",
      ]);
    });
  });
});


describe("the rendered issues job passes what the script needs, and acts only on the default branch", () => {
  it.each([
    ["trivy with SARIF", { sarif: true }],
    ["grype", { scanner: "grype", sarif: false }],
    ["govulncheck only", { imageScan: false, dockerfile: undefined }],
  ])("%s", (_name, over) => {
    const jobs = (parse(renderedSecurityScan(over)) as { jobs: Record<string, { if?: string; steps: { id?: string; env?: Record<string, string> }[] }> }).jobs;
    const onDefault = "${{ !cancelled() && (github.event_name == 'schedule' || (inputs.ref || github.ref_name) == github.event.repository.default_branch) }}";
    expect(jobs.issues!.if).toBe(onDefault);
    if (jobs["code-scanning"]) expect(jobs["code-scanning"].if).toBe(onDefault);
    expect(jobs.issues!.steps.find((s) => s.id === "issues")!.env).toMatchObject({
      INPUT_REF: "${{ inputs.ref }}",
      DEFAULT_BRANCH: "${{ github.event.repository.default_branch }}",
    });
    // Every scanner job records what it scanned next to its results, before the upload.
    for (const [id, job] of Object.entries(jobs)) {
      if (id === "issues" || id === "code-scanning") continue;
      const ids = job.steps.map((s) => s.id);
      expect(ids.indexOf("meta"), id).toBeGreaterThan(ids.indexOf(id === "govulncheck" ? "scan" : "decide"));
    }
  });
});

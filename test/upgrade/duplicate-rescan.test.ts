import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { explainDuplicateRescan, spotDuplicateRescan } from "../../src/adopt/index.js";
import { applyPlan } from "../../src/apply/index.js";
import { PATHS } from "../../src/render/index.js";
import { renderInitReport } from "../../src/report/init.js";
import { git, makeRepo, ROOT } from "../support/repo.js";
import { upgrade } from "./support.js";

// Issue 20 item 6: a hand-written scheduled rescan under another file name runs next to ours.
const fixture = (name: string) => readFileSync(join(ROOT, "test/fixtures/upgrade/duplicate-rescan", name), "utf8");
const crlf = (t: string) => t.replace(/\n/g, "\r\n");
const bom = (t: string) => `\uFEFF${t}`;

describe("spotDuplicateRescan", () => {
  const CASES: [string, string, { scan: string[]; report?: string[]; other?: string[]; triggers?: string[]; retire: boolean } | undefined][] = [
    ["a nightly Trivy action scan with its issue job", fixture("trivy-nightly.yml"), { scan: ["scan: Trivy on the image"], report: ["report"], retire: true }],
    ["a weekly govulncheck CLI", fixture("govulncheck-weekly.yml"), { scan: ["govulncheck: govulncheck"], retire: true }],
    ["a grype CLI job next to e2e tests", fixture("nightly-with-e2e.yml"), { scan: ["grype: Grype on the image"], other: ["e2e"], retire: false }],
    ["trivy image that also runs on push", fixture("scan-on-push-too.yml"), { scan: ["trivy: Trivy on the image"], triggers: ["push"], retire: false }],
    ["a filesystem scan is not ours", fixture("fs-scan.yml"), undefined],
    ["not scheduled", fixture("trivy-nightly.yml").replace(/  schedule:\n    - cron: '0 3 \* \* \*' # 03:00 UTC\n/, ""), undefined],
    ["grype db update only", "on:\n  schedule:\n    - cron: '1 2 * * *'\njobs:\n  db:\n    runs-on: ubuntu-latest\n    steps:\n      - run: grype db update\n", undefined],
    ["only installs govulncheck", "on:\n  schedule:\n    - cron: '1 2 * * *'\njobs:\n  i:\n    runs-on: ubuntu-latest\n    steps:\n      - run: go install golang.org/x/vuln/cmd/govulncheck@v1.1.4\n", undefined],
    ["govulncheck-action, on a list of triggers", "on: [schedule, workflow_dispatch]\njobs:\n  v:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: golang/govulncheck-action@" + "b".repeat(40) + " # v1.0.4\n", { scan: ["v: govulncheck"], retire: true }],
    ["anchore/scan-action", "on:\n  schedule:\n    - cron: '1 2 * * *'\njobs:\n  g:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: anchore/scan-action@" + "c".repeat(40) + " # v7.0.0\n        with:\n          image: ghcr.io/a/b:latest\n", { scan: ["g: Grype on the image"], retire: true }],
    ["a file that does not parse", "on:\n  schedule: [\njobs: {", undefined],
  ];
  for (const [name, text, want] of CASES) {
    for (const [variant, t] of [["LF", text], ["CRLF", crlf(text)], ["BOM", bom(text)]] as const) {
      it(`${name} (${variant})`, () => {
        const got = spotDuplicateRescan(".github/workflows/x.yml", t);
        if (!want) return expect(got).toBeUndefined();
        expect(got?.scanJobs.map((s) => `${s.job}: ${s.what.join(", ")}`)).toEqual(want.scan);
        expect(got?.reportJobs).toEqual(want.report ?? []);
        expect(got?.otherJobs).toEqual(want.other ?? []);
        expect(got?.otherTriggers).toEqual(want.triggers ?? []);
        expect(got?.retire).toBe(want.retire);
      });
    }
  }
});

describe("what the note says is doubled: where each rescan's findings go", () => {
  const SHA = "d".repeat(40);
  const sarif = `on:\n  schedule:\n    - cron: '1 2 * * *'\njobs:\n  vuln:\n    runs-on: ubuntu-latest\n    permissions:\n      security-events: write\n    steps:\n      - run: govulncheck -format sarif ./... > govulncheck.sarif\n      - uses: github/codeql-action/upload-sarif@${SHA} # v4.31.0\n        with:\n          sarif_file: govulncheck.sarif\n`;
  const script = `on:\n  schedule:\n    - cron: '1 2 * * *'\njobs:\n  scan:\n    runs-on: ubuntu-latest\n    steps:\n      - run: trivy image --format json -o t.json ghcr.io/a/b:latest\n      - uses: actions/github-script@${SHA} # v8.0.0\n        with:\n          script: |\n            await github.rest.issues.create({ owner: context.repo.owner, repo: context.repo.repo, title: "scan" })\n`;
  const ROWS: [string, string, "issues" | "code-scanning", string[], RegExp][] = [
    ["a SARIF upload (nats' vuln.yaml), ours files issues", sarif, "issues", ["code-scanning"], /govulncheck\); the same vulnerabilities are reported twice: yours uploads code-scanning alerts, ours files issues\./],
    ["a SARIF upload, ours uploads too", sarif, "code-scanning", ["code-scanning"], /two nightly scans upload the same vulnerabilities to code scanning, as two sets of alerts\./],
    ["github-script filing an issue, ours uploads SARIF", script, "code-scanning", ["issues"], /yours files issues, ours uploads code-scanning alerts\./],
    ["gh issue create (the fixture's report job)", fixture("trivy-nightly.yml"), "issues", ["issues"], /two nightly scans file two sets of issues for the same vulnerabilities\./],
    ["nothing but the run's result", fixture("govulncheck-weekly.yml"), "issues", [], /yours fails its run, ours files issues\./],
  ];
  for (const [name, text, ours, reports, note] of ROWS) {
    for (const [variant, t] of [["LF", text], ["CRLF", crlf(text)], ["BOM", bom(text)]] as const) {
      it(`${name} (${variant})`, () => {
        const got = spotDuplicateRescan(".github/workflows/x.yml", t);
        expect(got?.reports).toEqual(reports);
        expect(explainDuplicateRescan(got!, { adopt: false, ours: ".github/workflows/security-scan.yml", report: ours })).toMatch(note);
      });
    }
  }
});

describe("a hand-written nightly rescan under another name", () => {
  const NIGHTLY = ".github/workflows/nightly-scan.yml";
  const VARIANTS: [string, (t: string) => string][] = [["LF", (t) => t], ["CRLF", crlf], ["BOM", bom]];

  for (const [variant, shape] of VARIANTS) {
    it(`is named as a duplicate that should go; --adopt deletes it, shown as a deletion (${variant})`, async () => {
      const dir = makeRepo("example", { files: { [NIGHTLY]: shape(fixture("trivy-nightly.yml")) } });
      const plain = await upgrade(dir, { dryRun: true });
      const note = plain.report.plan.notes.find((n) => n.startsWith(NIGHTLY));
      expect(note).toMatch(/duplicates \.github\/workflows\/security-scan\.yml: job scan \(Trivy on the image\), reported by report; two nightly scans file two sets of issues/);
      expect(note).toMatch(/It should go: --adopt deletes the file\./);
      expect(plain.report.plan.changes.find((c) => c.path === NIGHTLY)).toBeUndefined();

      const { exitCode, report } = await upgrade(dir, { adopt: true, diff: true });
      expect(exitCode).toBe(0);
      const change = report.plan.changes.find((c) => c.path === NIGHTLY);
      expect(change?.action).toBe("delete");
      const out = renderInitReport(report);
      expect(out).toMatch(/^ {2}delete {4}\.github\/workflows\/nightly-scan\.yml +-50 +your scheduled rescan/m);
      expect(out).toMatch(/^--- a\/\.github\/workflows\/nightly-scan\.yml\t?\n\+\+\+ \/dev\/null\t?\n@@ -1,50 \+0,0 @@\n-\uFEFF?# Written by hand/mu);
      expect(report.plan.notes.join("\n")).toMatch(/It should go: deleted \(--adopt\)\./);
      expect(existsSync(join(dir, NIGHTLY))).toBe(false);
      expect(existsSync(join(dir, PATHS.securityScan))).toBe(true);
      expect(git(dir, "status", "--porcelain", "--", NIGHTLY)).toBe(` D ${NIGHTLY}\n`);
    });
  }

  it("a non-UTF-8 file (Latin-1 comment) is recognised and deleted whole", async () => {
    const bytes = Buffer.concat([Buffer.from("# Geprüft: Sicherheitsprüfung \xe4\n", "latin1"), Buffer.from(fixture("govulncheck-weekly.yml"))]);
    const dir = makeRepo("example");
    writeFileSync(join(dir, ".github/workflows/govulncheck.yml"), bytes);
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "latin-1 workflow");
    const { report } = await upgrade(dir, { adopt: true });
    expect(report.plan.notes.join("\n")).toMatch(/govulncheck\.yml: a scheduled rescan of your own duplicates .*job govulncheck \(govulncheck\)/);
    expect(report.plan.changes.find((c) => c.path === ".github/workflows/govulncheck.yml")?.action).toBe("delete");
    expect(existsSync(join(dir, ".github/workflows/govulncheck.yml"))).toBe(false);
  });

  it("one that does more than scanning is left in place, naming the jobs that duplicate ours, even with --adopt", async () => {
    const file = ".github/workflows/nightly.yml";
    const dir = makeRepo("example", { files: { [file]: fixture("nightly-with-e2e.yml"), ".github/workflows/trivy.yml": fixture("scan-on-push-too.yml") } });
    const { report } = await upgrade(dir, { adopt: true });
    const notes = report.plan.notes.join("\n");
    expect(notes).toContain(`${file}: a scheduled rescan of your own duplicates .github/workflows/security-scan.yml: job grype (Grype on the image)`);
    expect(notes).toContain("It does more than scanning (job e2e), so it is left in place even with --adopt: remove the job grype from it by hand.");
    expect(notes).toContain("trivy.yml: a scheduled rescan of your own duplicates .github/workflows/security-scan.yml: job trivy (Trivy on the image); the same vulnerabilities are reported twice: yours fails its run, ours files issues. It also runs on push, so it is left in place even with --adopt: remove its `schedule:` trigger by hand");
    expect(readFileSync(join(dir, file), "utf8")).toBe(fixture("nightly-with-e2e.yml"));
    expect(report.plan.changes.some((c) => c.action === "delete")).toBe(false);
  });

  it("a filesystem scan is not called a duplicate", async () => {
    const dir = makeRepo("example", { files: { ".github/workflows/fs.yml": fixture("fs-scan.yml") } });
    const { report } = await upgrade(dir, { adopt: true });
    expect(report.plan.notes.join("\n")).not.toMatch(/fs\.yml: a scheduled rescan/);
    expect(existsSync(join(dir, ".github/workflows/fs.yml"))).toBe(true);
  });
});

describe("applyPlan and a deletion", () => {
  it("deletes the file with the other writes; a file changed since planning is refused and nothing is written or deleted", () => {
    const dir = makeRepo("example", { files: { ".github/workflows/old.yml": "on: push\n", "a.txt": "a\n" } });
    expect(() => applyPlan(dir, [
      { path: "a.txt", action: "update", before: "a\n", after: "b\n" },
      { path: ".github/workflows/old.yml", action: "delete", before: "on: schedule\n" },
    ])).toThrow(/old\.yml: changed between the plan and the write; nothing was written/);
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("a\n");
    expect(existsSync(join(dir, ".github/workflows/old.yml"))).toBe(true);
    expect(applyPlan(dir, [
      { path: "a.txt", action: "update", before: "a\n", after: "b\n" },
      { path: ".github/workflows/old.yml", action: "delete", before: "on: push\n" },
    ])).toEqual(["a.txt", ".github/workflows/old.yml"]);
    expect(existsSync(join(dir, ".github/workflows/old.yml"))).toBe(false);
    expect(git(dir, "status", "--porcelain")).toBe(" D .github/workflows/old.yml\n M a.txt\n");
  });
});

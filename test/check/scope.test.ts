import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/types.js";
import { assignOwners, ourLines } from "../../src/validate/scope.js";
import { runCli } from "../support/cli.js";
import { git, makeRepo } from "../support/repo.js";

/**
 * Issue 10, "Exit 1 for lines we did not write": modelled on public Go services whose ci.yml pins its
 * own actions by tag, installs a linter @latest, runs on an old runner label and writes a version comment
 * in another format, next to a CodeQL workflow relay-security never touches.
 */
const fixture = (name: string) => readFileSync(new URL(`../fixtures/scope/${name}`, import.meta.url), "utf8");
const crlf = (text: string) => text.replace(/\n/g, "\r\n");
const lastLine = (out: string) => out.trimEnd().split("\n").at(-1) ?? "";

function setUp(eol: (t: string) => string = (t) => t) {
  const dir = makeRepo("example", { files: { ".github/workflows/ci.yml": eol(fixture("ci.yml")), ".github/workflows/codeql.yml": eol(fixture("codeql.yml")) } });
  const r = runCli(["--yes", dir]);
  return { dir, r };
}

describe("findings in the user's own lines do not decide the exit code", () => {
  for (const [name, eol] of [["LF", (t: string) => t], ["CRLF", crlf]] as const) {
    it(`--yes exits 0 and lists them under their own heading, each with its fix (${name})`, () => {
      const { r } = setUp(eol);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const [ours, yours] = r.stdout.split("In your files, not changed by relay-security");
      expect(yours).toBeDefined();
      // Tag pins (line 12 is the lint job's checkout), the @latest install, each with the way to fix it.
      // (our pin of checkout is another major, so the fix is `pin`, which stays in v4: issue 14)
      expect(yours).toMatch(/error\s+\.github\/workflows\/ci\.yml:12 {2}pins\/sha: actions\/checkout@v4 .*\(npx create-relay-security pin\)/);
      expect(yours).toMatch(/ci\.yml:18 {2}pins\/go-install: .*\(put the version in an env var/);
      expect(yours).toMatch(/ci\.yml:25 {2}pins\/version-comment: google-github-actions\/auth@/);
      // Nothing of ours is an error, and no CRLF line of our step is misread.
      expect(ours).not.toMatch(/^\s+error /m);
      expect(lastLine(r.stdout)).toMatch(/^Exit 0: everything relay-security wrote or changed is clean; \d+ finding\(s\) in your own lines are listed above and do not change it\.$/);
    });
  }

  it("check judges what we own and the workflow carrying our step; --all-workflows widens it to every workflow", () => {
    const { dir } = setUp(crlf);
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "relay-security");
    const check = runCli(["check", dir]);
    expect(check.code, check.stdout).toBe(0);
    expect(check.stdout).not.toContain("codeql.yml:");
    expect(check.stdout).toMatch(/1 workflow\(s\) relay-security neither wrote nor edited were not validated .*--all-workflows/);
    expect(lastLine(check.stdout)).toMatch(/^Exit 0: .*\(--all-workflows counts them\)\.$/);

    const all = runCli(["check", "--all-workflows", dir]);
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/error\s+\.github\/workflows\/codeql\.yml:18 {2}pins\/sha/);
    expect(all.stdout).not.toContain("In your files, not changed by relay-security");
    expect(lastLine(all.stdout)).toMatch(/^Exit 1: \d+ validation error\(s\) in the workflows checked \(--all-workflows\) \(.*ci\.yml:12/);

    const validate = runCli(["validate", dir]);
    expect(validate.code).toBe(0);
    expect(runCli(["validate", "--all-workflows", dir]).code).toBe(1);
  });

  it("an error in a file we own still fails, and the last line names it", () => {
    const { dir } = setUp();
    const scan = join(dir, ".github/workflows/security-scan.yml");
    writeFileSync(scan, readFileSync(scan, "utf8").replace(/uses: actions\/checkout@[0-9a-f]{40} # v[\d.]+/, "uses: actions/checkout@v4"));
    const r = runCli(["validate", dir]);
    expect(r.code).toBe(1);
    expect(lastLine(r.stdout)).toMatch(/^Exit 1: \d+ validation error\(s\) in what relay-security wrote or changed \(\.github\/workflows\/security-scan\.yml:\d+\)/);
  });
});

describe("assignOwners", () => {
  const text = fixture("ci.yml").replace(
    "      - name: Smoke test",
    [
      "      # Added by relay-security",
      "      - name: Scan image",
      "        id: relay-security-scan",
      "        uses: aquasecurity/trivy-action@v0.36.0",
      "        with:",
      "          image-ref: x",
      "      - name: Smoke test",
    ].join("\n"),
  );
  const at = (line: number): Finding => ({ file: ".github/workflows/ci.yml", line, rule: "pins/sha", severity: "error", message: "m" });

  it("finds our step's lines, and only those are ours in the user's workflow", () => {
    expect(ourLines(".github/workflows/ci.yml", text)).toEqual([[31, 35]]);
    const marked = assignOwners([at(12), at(33), at(36)], { owned: new Set(), gate: { file: ".github/workflows/ci.yml", edits: [] } }, new Map([[".github/workflows/ci.yml", text]]));
    expect(marked.map((f) => f.owner ?? "ours")).toEqual(["you", "ours", "you"]);
  });

  it("keeps every finding in a file we own, and one without a line in the gate workflow, as ours", () => {
    const own = { owned: new Set([".github/workflows/security-scan.yml"]), gate: { file: ".github/workflows/ci.yml", edits: [] } };
    const findings: Finding[] = [{ ...at(3), file: ".github/workflows/security-scan.yml" }, { file: ".github/workflows/ci.yml", rule: "yaml-parse", severity: "error", message: "m" }];
    expect(assignOwners(findings, own, new Map([[".github/workflows/ci.yml", text]])).map((f) => f.owner)).toEqual([undefined, undefined]);
  });
});

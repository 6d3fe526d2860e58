import { describe, expect, it } from "vitest";
import { renderScanningDocs } from "../../src/render/index.js";
import { lintScanningPage } from "../../src/validate/docs-page.js";
import { viewWith } from "../support/answers.js";

const page = (over: Record<string, unknown> = {}) => renderScanningDocs(viewWith(over));
const PRESENT = new Set([".govulncheckignore", ".github/workflows/security-scan.yml", ".github/workflows/security-db.yml", ".github/actions/relay-security-db/action.yml", ".trivyignore", ".grype.yaml"]);

// Issue 12, item 10: the maintainers' page, rendered for each variant.
describe("docs/security-scanning.md", () => {
  it("says what runs when and why, how to read an issue, how to accept a risk, how to scan locally, what to do when the schedule stops", () => {
    const text = page();
    for (const heading of ["## What runs, when, and why", "## Reading an issue", "## Accepting a risk", "## Running the same scans locally", "## When the schedule stops"]) {
      expect(text).toContain(`\n${heading}\n`);
    }
    expect(text).toMatch(/every pull request .* fixable CRITICAL,HIGH vulnerabilities \| the pull request fails/);
    expect(text).toContain("CVE-2026-1234 exp:2026-09-30"); // the rule, with an example
    expect(text).toMatch(/# WHY: .*\n# TODO\(2026-09-30\):/);
    expect(text).toContain("gh workflow enable security-scan.yml");
    expect(text).toMatch(/60 days without activity/);
    expect(text).toMatch(/trivy image --scanners vuln --pkg-types os,library --severity CRITICAL,HIGH --ignore-unfixed --ignorefile \.trivyignore --exit-code 1 ghcr\.io\/acme\/svc:local/);
    expect(text).toContain(`govulncheck@${viewWith().govulncheckVersion}`);
    expect(text).toMatch(/write them above or below the report/);
    // The page says what the set-up writes: govulncheck's accepted risks in .govulncheckignore, and the
    // gate as either a step after the build or our image-scan job.
    expect(text).toContain("accepted for a\nlimited time in [`.govulncheckignore`](../.govulncheckignore), which the rescan reads");
    expect(text).not.toMatch(/govulncheck has no ignore file:/);
    expect(text).toContain("the step `relay-security-scan` right after the step that builds the image, or, when no step leaves it in the Docker daemon, the `image-scan` job relay-security added");
    expect(lintScanningPage("docs/security-scanning.md", text, (rel) => PRESENT.has(rel))).toEqual([]);
  });

  it("the Grype variant names .grype.yaml and its TODO-date rule; the govulncheck-only one names no image scanner", () => {
    const grype = page({ scanner: "grype", sarif: false });
    expect(grype).toContain("[`.grype.yaml`](../.grype.yaml)");
    expect(grype).toContain("  - vulnerability: CVE-2026-1234");
    expect(grype).toMatch(/grype ghcr\.io\/acme\/svc:local --only-fixed --fail-on high --config \.grype\.yaml/);
    expect(grype).not.toMatch(/trivy/i);
    const gov = page({ imageScan: false, dockerfile: undefined });
    expect(gov).not.toMatch(/trivy|grype|docker build/i);
    expect(lintScanningPage("docs/security-scanning.md", gov, (rel) => PRESENT.has(rel))).toEqual([]);
  });

  it("validation: a link to a file that is gone (a warning) and an unclosed code block (an error), with their line (CRLF and BOM alike)", () => {
    const text = page();
    const lines = (t: string) => lintScanningPage("docs/security-scanning.md", t, (rel) => PRESENT.has(rel) && rel !== ".trivyignore").map((f) => [f.rule, f.line]);
    const trivyLine = text.split("\n").findIndex((l) => l.includes("(../.trivyignore)")) + 1;
    expect(lines(text)).toEqual([["docs-link", trivyLine]]);
    expect(lines(`\uFEFF${text.replace(/\n/g, "\r\n")}`)).toEqual([["docs-link", trivyLine]]);
    const unclosed = `${text}\n\`\`\`sh\necho open\n`;
    expect(lines(unclosed).at(-1)).toEqual(["docs-fence", unclosed.split("\n").length - 2]);
    // Outside the repository, and links inside code blocks or to the web, are not files to check.
    expect(lintScanningPage("docs/x.md", "[a](../../etc/passwd)\n", () => true).map((f) => f.rule)).toEqual(["docs-link"]);
    expect(lintScanningPage("docs/x.md", "```\n[a](nope.md)\n```\n[b](https://example.com) [c](#top)\n", () => false)).toEqual([]);
  });

  it("a page that is not UTF-8 still validates line by line (Latin-1 bytes read as replacement characters)", () => {
    const latin1 = Buffer.from("Caf\xe9 [x](../.trivyignore)\n", "latin1").toString("utf8");
    expect(lintScanningPage("docs/security-scanning.md", latin1, () => false)).toMatchObject([{ rule: "docs-link", line: 1 }]);
  });
});

import { describe, expect, it } from "vitest";
import { lintGovulncheckIgnore } from "../../src/validate/govulncheckignore.js";
import { lintGrypeIgnore } from "../../src/validate/grype-ignore.js";
import { lintGrypeConfig, lintTrivyConfig } from "../../src/validate/scanner-config.js";
import { lintTrivyignore } from "../../src/validate/trivyignore.js";
import { lintTrivyignoreYaml } from "../../src/validate/trivyignore-yaml.js";
import type { Finding } from "../../src/types.js";

// Issue 11 item 2: an ignore file can be anyone's (a pull request adds it, or links it to
// /proc/self/environ); a lint quotes at most a bounded prefix of any line it echoes.
const now = new Date("2026-06-01T00:00:00Z");
const secret = "SECRET=hunter2-do-not-print";
const long = `CVE-2024-${"1".repeat(10_000)}`; // a 10,000-character token, no whitespace to split on
const leaky = `CVE-2024-${"9".repeat(300)}${secret}`; // an env-like value beyond the prefix

const text = (fs: Finding[]) => fs.map((f) => `${f.message} ${f.hint ?? ""}`).join("\n");

function expectBounded(findings: Finding[]) {
  expect(findings.length).toBeGreaterThan(0);
  for (const f of findings) expect(f.message.length, f.message.slice(0, 80)).toBeLessThan(600);
  expect(text(findings)).not.toContain(secret);
  expect(text(findings)).not.toContain("1".repeat(200));
}

describe("ignore-file lints never echo a whole foreign line", () => {
  it(".trivyignore", () => {
    expectBounded(lintTrivyignore(".trivyignore", `${long}\n${leaky} exp:${"2".repeat(400)}${secret}\n# TODO(${"3".repeat(300)}${secret})\n# WHY: x\nCVE-2024-12345 exp:2027-01-01\n`, now));
  });
  it(".govulncheckignore", () => {
    expectBounded(lintGovulncheckIgnore(".govulncheckignore", `${long}\n${"X".repeat(300)}${secret}\n`, now));
  });
  it(".trivyignore.yaml", () => {
    const yaml = `vulnerabilities:\n  - id: ${long}\n  - id: ${leaky}\n    expired_at: ${"4".repeat(300)}${secret}\n${"k".repeat(300)}${secret}: 1\n`;
    expectBounded(lintTrivyignoreYaml(".trivyignore.yaml", yaml, now));
  });
  it(".grype.yaml", () => {
    const yaml = `ignore:\n  - vulnerability: ${long}\n  # TODO(${"5".repeat(300)}${secret})\n  - vulnerability: ${leaky}\n`;
    expectBounded(lintGrypeIgnore(".grype.yaml", yaml, now));
    // YAML keys stop at 1024 characters (longer is a syntax error): the longest that parses.
    expectBounded(lintGrypeConfig(".grype.yaml", `${"h".repeat(900)}${secret}: 2\n`));
  });
  it("trivy.yaml", () => {
    expectBounded(lintTrivyConfig("trivy.yaml", `db:\n  ${"u".repeat(900)}${secret}: 2\n`, []));
    expectBounded(lintTrivyConfig("trivy.yaml", `${"t".repeat(10_000)}: 1\n`, []));
  });
  it("the prefix shown still names the entry", () => {
    const [f] = lintGovulncheckIgnore(".govulncheckignore", `# WHY: x\n# TODO(2027-01-01): y\n${leaky} exp:2027-01-01\n`, now).filter((x) => x.rule === "govulncheckignore/id");
    expect(f?.message).toContain(`"CVE-2024-9999`);
    expect(f?.message).toContain("…");
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/types.js";
import { lintTrivyignoreYaml } from "../../src/validate/trivyignore-yaml.js";

const NOW = new Date("2026-11-27T12:00:00Z");
const fixture = (name: string) => readFileSync(new URL(`../fixtures/validate/trivyignore/${name}`, import.meta.url), "utf8");
const brief = (fs: Finding[]) => fs.map((f) => [f.rule, f.severity, f.line]);
const entry = (...lines: string[]) => ["vulnerabilities:", ...lines.map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`))].join("\n");

describe("lintTrivyignoreYaml", () => {
  it.each([
    ["a complete entry", entry("id: CVE-2026-1234", "statement: 'unused path. TODO(2026-12-15): recheck'", "expired_at: 2027-01-01"), []],
    ["an empty file", "", []],
    ["a TODO in the comment above", ["vulnerabilities:", "  # TODO(2026-12-15): recheck", "  - id: CVE-2026-1234", "    statement: unused", "    expired_at: 2027-01-01"].join("\n"), []],
    ["no statement (WHY) and so no TODO", entry("id: CVE-2026-1234", "expired_at: 2027-01-01"), [["trivyignore/why", "error", 2], ["trivyignore/todo", "error", 2]]],
    ["no TODO date", entry("id: CVE-2026-1234", "statement: unused", "expired_at: 2027-01-01"), [["trivyignore/todo", "error", 2]]],
    ["a TODO comment that belongs to the next entry", [
      "vulnerabilities:", "  - id: CVE-2026-1234", "    statement: unused", "    expired_at: 2027-01-01",
      "  # TODO(2026-12-15): recheck", "  - id: CVE-2026-5678", "    statement: unused", "    expired_at: 2027-01-01",
    ].join("\n"), [["trivyignore/todo", "error", 2]]],
    ["no expired_at", entry("id: CVE-2026-1234", "statement: 'TODO(2026-12-15): x'"), [["trivyignore/exp", "error", 2]]],
    ["a malformed expired_at (fatal in Trivy)", entry("id: CVE-2026-1234", "statement: 'TODO(2026-12-15): x'", "expired_at: soon"), [["trivyignore/exp", "error", 4]]],
    ["expired today", entry("id: CVE-2026-1234", "statement: 'TODO(2026-12-15): x'", "expired_at: 2026-11-27"), [["trivyignore/expired", "error", 4]]],
    ["revisit due", entry("id: CVE-2026-1234", "statement: 'TODO(2026-11-01): x'", "expired_at: 2027-01-01"), [["trivyignore/revisit-due", "warning", 2]]],
    ["a malformed vulnerability ID", entry("id: CVE-2026-12", "statement: 'TODO(2026-12-15): x'", "expired_at: 2027-01-01"), [["trivyignore/id", "error", 2]]],
    ["a misconfiguration ID is not held to vulnerability ID shapes", "misconfigurations:\n  - id: DS002\n    statement: 'TODO(2026-12-15): x'\n    expired_at: 2027-01-01", []],
    ["invalid YAML", "vulnerabilities:\n  - id: CVE-2026-1234\n   statement: [unclosed", [["trivyignore/yaml", "error", 3]]],
    ["a list that is not a list", "vulnerabilities: CVE-2026-1234", [["trivyignore/yaml", "error", 1]]],
    ["a misspelt top-level key", "vulnerability:\n  - id: CVE-2026-1234", [["trivyignore/yaml", "warning", 1]]],
  ] as const)("%s", (_name, text, expected) => {
    expect(brief(lintTrivyignoreYaml(".trivyignore.yaml", text, NOW))).toEqual(expected);
  });

  it("warns about an entry no current finding matches", () => {
    const text = entry("id: CVE-2026-1234", "statement: 'TODO(2026-12-15): x'", "expired_at: 2027-01-01");
    expect(brief(lintTrivyignoreYaml("x", text, NOW, { matchedIds: new Set(["CVE-2026-9999"]) }))).toEqual([["trivyignore/unmatched", "warning", 2]]);
  });

  it("passes the good fixture", () => {
    expect(lintTrivyignoreYaml("good.trivyignore.yaml", fixture("good.trivyignore.yaml"), NOW)).toEqual([]);
  });

  it("finds every problem in the bad fixture, on its line", () => {
    expect(brief(lintTrivyignoreYaml("bad.trivyignore.yaml", fixture("bad.trivyignore.yaml"), NOW))).toEqual([
      ["trivyignore/why", "error", 2],
      ["trivyignore/todo", "error", 2],
      ["trivyignore/todo", "error", 4],
      ["trivyignore/exp", "error", 7],
      ["trivyignore/exp", "error", 11],
      ["trivyignore/expired", "error", 14],
      ["trivyignore/revisit-due", "warning", 15],
      ["trivyignore/id", "error", 18],
      ["trivyignore/yaml", "warning", 21],
    ]);
  });
});

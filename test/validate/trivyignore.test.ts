import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/types.js";
import { lintTrivyignore } from "../../src/validate/trivyignore.js";

const NOW = new Date("2026-11-27T12:00:00Z");
const fixture = (name: string) => readFileSync(new URL(`../fixtures/validate/trivyignore/${name}`, import.meta.url), "utf8");
const brief = (fs: Finding[]) => fs.map((f) => [f.rule, f.severity, f.line]);

const WHY = "# WHY: the vulnerable code is never reached";
const TODO = "# TODO(2026-12-15): check the next builder image";

describe("lintTrivyignore", () => {
  it.each([
    ["a complete entry", [WHY, TODO, "CVE-2026-1234 exp:2027-01-01"], []],
    ["blank lines and comment-only files", ["# just a header", "", "   ", "# more"], []],
    ["no WHY", [TODO, "CVE-2026-1234 exp:2027-01-01"], [["trivyignore/why", "error", 2]]],
    ["an empty WHY", ["# WHY:   ", TODO, "CVE-2026-1234 exp:2027-01-01"], [["trivyignore/why", "error", 3]]],
    ["WHY separated from the entry by a blank line", [WHY, TODO, "", "CVE-2026-1234 exp:2027-01-01"], [["trivyignore/why", "error", 4], ["trivyignore/todo", "error", 4]]],
    ["a second entry reusing the first one's comments", [WHY, TODO, "CVE-2026-1234 exp:2027-01-01", "CVE-2026-5678 exp:2027-01-01"], [["trivyignore/why", "error", 4], ["trivyignore/todo", "error", 4]]],
    ["no TODO", [WHY, "CVE-2026-1234 exp:2027-01-01"], [["trivyignore/todo", "error", 2]]],
    ["a TODO without a date", [WHY, "# TODO: later", "CVE-2026-1234 exp:2027-01-01"], [["trivyignore/todo", "error", 3]]],
    ["a TODO with an impossible date", [WHY, "# TODO(2026-02-30): x", "CVE-2026-1234 exp:2027-01-01"], [["trivyignore/todo", "error", 3]]],
    ["no exp:", [WHY, TODO, "CVE-2026-1234"], [["trivyignore/exp", "error", 3]]],
    ["a malformed exp: (Trivy drops the line)", [WHY, TODO, "CVE-2026-1234 exp:2027-1-5"], [["trivyignore/exp", "error", 3]]],
    ["exp: with an impossible date", [WHY, TODO, "CVE-2026-1234 exp:2027-02-29"], [["trivyignore/exp", "error", 3]]],
    ["expired yesterday", [WHY, TODO, "CVE-2026-1234 exp:2026-11-26"], [["trivyignore/expired", "error", 3]]],
    ["dated today: already expired at 00:00 UTC", [WHY, TODO, "CVE-2026-1234 exp:2026-11-27"], [["trivyignore/expired", "error", 3]]],
    ["dated tomorrow", [WHY, TODO, "CVE-2026-1234 exp:2026-11-28"], []],
    ["revisit date passed, expiry still ahead", [WHY, "# TODO(2026-11-01): x", "CVE-2026-1234 exp:2027-01-01"], [["trivyignore/revisit-due", "warning", 3]]],
    ["revisit due today", [WHY, "# TODO(2026-11-27): x", "CVE-2026-1234 exp:2027-01-01"], [["trivyignore/revisit-due", "warning", 3]]],
    ["plausible non-CVE IDs", [WHY, TODO, "GO-2026-4242 exp:2027-01-01", WHY, TODO, "ALPINE-13661 exp:2027-01-01", WHY, TODO, "RHSA-2024:1234 exp:2027-01-01"], []],
    ["a lower-case CVE (Trivy matches exactly)", [WHY, TODO, "cve-2026-1234 exp:2027-01-01"], [["trivyignore/id", "error", 3]]],
    ["a truncated CVE", [WHY, TODO, "CVE-2026 exp:2027-01-01"], [["trivyignore/id", "error", 3]]],
    ["garbage for an ID", [WHY, TODO, "TODO: fix this exp:2027-01-01"], [["trivyignore/id", "error", 3]]],
    ["CRLF line endings", [WHY, TODO, "CVE-2026-1234"].join("\r\n").split("\n"), [["trivyignore/exp", "error", 3]]],
  ] as const)("%s", (_name, lines, expected) => {
    expect(brief(lintTrivyignore(".trivyignore", lines.join("\n"), NOW))).toEqual(expected);
  });

  it("uses Trivy's instant: an entry dated tomorrow expires exactly at midnight UTC", () => {
    const text = [WHY, TODO, "CVE-2026-1234 exp:2026-11-28"].join("\n");
    expect(lintTrivyignore("x", text, new Date("2026-11-27T23:59:59.999Z"))).toEqual([]);
    expect(brief(lintTrivyignore("x", text, new Date("2026-11-28T00:00:00.001Z")))).toEqual([["trivyignore/expired", "error", 3]]);
  });

  it("says that Trivy silently drops a line with a malformed exp:", () => {
    const [f] = lintTrivyignore("x", [WHY, TODO, "CVE-2026-1234 exp:31-12-2026"].join("\n"), NOW);
    expect(f?.message).toMatch(/drops this line, so CVE-2026-1234 is NOT ignored/);
  });

  it("warns about an entry no current finding matches, when the scan's IDs are given", () => {
    const text = [WHY, TODO, "CVE-2026-1234 exp:2027-01-01", "", WHY, TODO, "CVE-2026-5678 exp:2027-01-01"].join("\n");
    expect(brief(lintTrivyignore("x", text, NOW, { matchedIds: new Set(["CVE-2026-1234"]) }))).toEqual([["trivyignore/unmatched", "warning", 7]]);
    expect(lintTrivyignore("x", text, NOW)).toEqual([]);
  });

  it("passes the fixture a maintainer would write", () => {
    expect(lintTrivyignore("good.trivyignore", fixture("good.trivyignore"), NOW)).toEqual([]);
  });

  it("finds every problem in the bad fixture, on its line, naming the file", () => {
    const findings = lintTrivyignore("bad.trivyignore", fixture("bad.trivyignore"), NOW);
    expect(brief(findings)).toEqual([
      ["trivyignore/why", "error", 4],
      ["trivyignore/todo", "error", 7],
      ["trivyignore/exp", "error", 11],
      ["trivyignore/exp", "error", 15],
      ["trivyignore/expired", "error", 19],
      ["trivyignore/revisit-due", "warning", 23],
      ["trivyignore/why", "error", 24],
      ["trivyignore/todo", "error", 24],
      ["trivyignore/id", "error", 28],
    ]);
    expect(findings.every((f) => f.file === "bad.trivyignore")).toBe(true);
  });
});

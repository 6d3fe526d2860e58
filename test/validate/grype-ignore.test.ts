import { describe, expect, it } from "vitest";
import { renderGrypeIgnore } from "../../src/render/index.js";
import type { Finding } from "../../src/types.js";
import { lintGrypeIgnore } from "../../src/validate/grype-ignore.js";
import { viewWith } from "../support/answers.js";

const NOW = new Date("2026-11-27T12:00:00Z");
const brief = (fs: Finding[]) => fs.map((f) => [f.rule, f.severity, f.line]);
const lint = (lines: string[]) => lintGrypeIgnore(".grype.yaml", lines.join("\n"), NOW);

const WHY = "  # WHY: the vulnerable code is never reached";
const TODO = "  # TODO(2026-12-15): check the next builder image";
const entry = (id = "CVE-2026-1234") => `  - vulnerability: ${id}`;

describe("lintGrypeIgnore", () => {
  it.each([
    ["a complete entry", ["ignore:", WHY, TODO, entry()], []],
    ["an entry with a package", ["ignore:", WHY, TODO, entry(), "    package:", "      name: libssl3", "      version: 3.5.1-r0"], []],
    ["WHY and TODO between the entry's keys", ["ignore:", "  - vulnerability: CVE-2026-1234", WHY.replace("  #", "    #"), TODO.replace("  #", "    #"), "    package:", "      name: x"], []],
    ["Grype's reason: as the WHY", ["ignore:", TODO, entry(), "    reason: only the CLI uses it"], []],
    ["reason: carrying both WHY and TODO", ["ignore:", entry(), "    reason: 'TODO(2026-12-15): the CLI only'"], []],
    ["no ignore key (Grype's other settings only)", ["only-fixed: true", "output: table"], []],
    ["ignore: [] and an empty file", ["ignore: []"], []],
    ["comments only", ["# nothing accepted", "ignore:"], []],
    ["no WHY", ["ignore:", TODO, entry()], [["grype-ignore/why", "error", 3]]],
    ["an empty WHY", ["ignore:", "  # WHY:   ", TODO, entry()], [["grype-ignore/why", "error", 4]]],
    ["WHY and TODO separated from the entry by a blank line", ["ignore:", WHY, TODO, "", entry()], [["grype-ignore/why", "error", 5], ["grype-ignore/todo", "error", 5]]],
    ["a second entry reusing the first one's comments", ["ignore:", WHY, TODO, entry(), entry("CVE-2026-5678")], [["grype-ignore/why", "error", 5], ["grype-ignore/todo", "error", 5]]],
    ["no TODO: Grype would suppress it forever", ["ignore:", WHY, entry()], [["grype-ignore/todo", "error", 3]]],
    ["a TODO without a date", ["ignore:", WHY, "  # TODO: later", entry()], [["grype-ignore/todo", "error", 4]]],
    ["a TODO with an impossible date", ["ignore:", WHY, "  # TODO(2026-02-30): x", entry()], [["grype-ignore/todo", "error", 4]]],
    ["TODO date passed: the date is the expiry", ["ignore:", WHY, "  # TODO(2026-11-26): x", entry()], [["grype-ignore/expired", "error", 4]]],
    ["TODO dated today: expired at 00:00 UTC, as Trivy's exp:", ["ignore:", WHY, "  # TODO(2026-11-27): x", entry()], [["grype-ignore/expired", "error", 4]]],
    ["TODO dated tomorrow", ["ignore:", WHY, "  # TODO(2026-11-28): x", entry()], []],
    ["no vulnerability: hides a whole package", ["ignore:", WHY, TODO, "  - package:", "      name: openssl"], [["grype-ignore/vulnerability", "error", 4]]],
    ["no vulnerability: a fix-state rule hides everything unfixed", ["ignore:", WHY, TODO, "  - fix-state: unknown"], [["grype-ignore/vulnerability", "error", 4]]],
    ["a lower-case CVE (Grype matches IDs exactly)", ["ignore:", WHY, TODO, entry("cve-2026-1234")], [["grype-ignore/id", "error", 4]]],
    ["plausible non-CVE IDs", ["ignore:", WHY, TODO, entry("GHSA-hcg3-q754-cr77"), WHY, TODO, entry("GO-2026-4242"), WHY, TODO, entry("ALPINE-13661")], []],
    ["a rule that is not a mapping", ["ignore:", WHY, TODO, "  - CVE-2026-1234"], [["grype-ignore/yaml", "error", 4]]],
    ["ignore that is not a list", ["ignore:", "  vulnerability: CVE-2026-1234"], [["grype-ignore/yaml", "error", 2]]],
    ["invalid YAML (Grype cannot load it)", ["ignore:", "  - vulnerability: [CVE"], [["grype-ignore/yaml", "error", 2]]],
    ["CRLF line endings", ["ignore:", WHY, TODO, entry()].join("\r\n").split("\n"), []],
    ["a flow list: comments do not belong to an entry", [WHY.trim(), TODO.trim(), "ignore: [{vulnerability: CVE-2026-1234}]"], [["grype-ignore/why", "error", 3], ["grype-ignore/todo", "error", 3]]],
  ] as const)("%s", (_name, lines, expected) => {
    expect(brief(lint([...lines]))).toEqual(expected);
  });

  it("names the vulnerability and says that Grype has no expiry", () => {
    const [f] = lint(["ignore:", WHY, "  # TODO(2026-01-31): x", entry()]);
    expect(f).toMatchObject({ file: ".grype.yaml", rule: "grype-ignore/expired" });
    expect(f?.message).toMatch(/^CVE-2026-1234: its TODO date 2026-01-31 has passed.*Grype has no expiry/);
    const [g] = lint(["ignore:", WHY, entry("cve-2026-1234")]);
    expect(g?.message).toMatch(/Grype matches IDs exactly/);
  });

  it("uses the same instant as Trivy: an entry dated tomorrow expires exactly at midnight UTC", () => {
    const text = ["ignore:", WHY, "  # TODO(2026-11-28): x", entry()].join("\n");
    expect(lintGrypeIgnore("x", text, new Date("2026-11-27T23:59:59.999Z"))).toEqual([]);
    expect(brief(lintGrypeIgnore("x", text, new Date("2026-11-28T00:00:00.001Z")))).toEqual([["grype-ignore/expired", "error", 4]]);
  });

  it("the rendered .grype.yaml passes, has no active entry, and its commented example would pass once uncommented", () => {
    const text = renderGrypeIgnore(viewWith({ scanner: "grype" }));
    expect(lintGrypeIgnore(".grype.yaml", text, NOW)).toEqual([]);
    expect(text.split("\n").filter((l) => l.trim() && !l.startsWith("#"))).toEqual(["ignore: []"]);
    const example = text
      .split("\n")
      .slice(text.split("\n").findIndex((l) => l.startsWith("# Example")) + 1)
      .filter((l) => l.startsWith("#   "))
      .map((l) => l.slice(4));
    expect(example[0]).toBe("ignore:");
    expect(lintGrypeIgnore(".grype.yaml", example.join("\n"), NOW)).toEqual([]);
  });
});

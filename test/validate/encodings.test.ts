import { describe, expect, it } from "vitest";
import { loadPins } from "../../src/pins.js";
import type { Finding } from "../../src/types.js";
import { lintGrypeIgnore } from "../../src/validate/grype-ignore.js";
import { lintParse } from "../../src/validate/parse.js";
import { lintPins } from "../../src/validate/pins.js";
import { lintTrivyignore } from "../../src/validate/trivyignore.js";
import { lintTrivyignoreYaml } from "../../src/validate/trivyignore-yaml.js";

/**
 * Every validator rule on the three encodings real repositories hand us (COMMON.md: "Every rule gets a
 * CRLF case, a BOM case and a non-UTF-8 case"): the findings must be exactly those of the LF text. A
 * CRLF workflow once got a false `pins/version-comment` on every correctly pinned line (issue 10).
 */
const NOW = new Date("2026-11-27T12:00:00Z");
const pins = loadPins();
const brief = (fs: Finding[]) => fs.map((f) => [f.rule, f.severity, f.line]);

const CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1";
const TRIVY = "aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25 # v0.36.0";
/** A workflow whose first step is on line 8 (line 7 is a comment holding a non-ASCII character). */
const wf = (...steps: string[][]) =>
  [
    "name: t",
    "on: push",
    "jobs:",
    "  build:",
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      # café: a comment in the user's own language",
    ...steps.flatMap(([first, ...rest]) => [`      - ${first}`, ...rest.map((l) => `        ${l}`)]),
    "",
  ].join("\n");

/** The LF text, CRLF, with a UTF-8 BOM, and as read from a Latin-1 file (é is not valid UTF-8 there). */
const variants = (lf: string): [string, string][] => [
  ["CRLF", lf.replace(/\n/g, "\r\n")],
  ["a UTF-8 BOM", `\uFEFF${lf}`],
  ["non-UTF-8 bytes", Buffer.from(lf, "latin1").toString("utf8")],
];

type Lint = (text: string) => Finding[];
const pinsRule: Lint = (text) => lintPins([{ path: ".github/workflows/w.yml", text }], pins);

const CASES: [string, Lint, string, number][] = [
  ["pins: a clean SHA pin with its version comment", pinsRule, wf([`uses: ${CHECKOUT}`], [`uses: ${TRIVY}`, "with:", "  version: v0.74.0"]), 0],
  ["pins/sha", pinsRule, wf(["uses: actions/checkout@v4"]), 1],
  ["pins/ref", pinsRule, wf(["uses: actions/checkout"]), 1],
  ["pins/version-comment", pinsRule, wf(["uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1"]), 1],
  ["pins/version-comment: the version on the line above", pinsRule, wf(["uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", "# v7.0.1"]), 1],
  ["pins/version-mismatch", pinsRule, wf(["uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v6.0.0"]), 1],
  ["pins/compromised", pinsRule, wf(["uses: aquasecurity/trivy-action@76071ef0d7ec797419534a183b498b4d6366cf37 # v0.31.0"]), 1],
  ["pins/trivy-version", pinsRule, wf([`uses: ${TRIVY}`, "with:", "  version: latest"]), 1],
  ["pins/docker-digest", pinsRule, wf(["uses: docker://alpine:3.22"]), 1],
  ["pins/consistent", pinsRule, wf([`uses: ${CHECKOUT}`], ["uses: actions/checkout@0123456789abcdef0123456789abcdef01234567 # v6.0.0"]), 1],
  ["pins/go-install", pinsRule, wf(["run: |", "  go install golang.org/x/vuln/cmd/govulncheck@latest"]), 1],
  ["pins/yaml", pinsRule, "# café\njobs:\n  a: [unclosed\n", 1],
  ["yaml-parse", (t) => lintParse("w.yml", t), "# café\njobs:\n  a: [unclosed\n", 1],
  ["yaml-parse: a clean file", (t) => lintParse("w.yml", t), wf([`uses: ${CHECKOUT}`]), 0],
  ["json-parse", (t) => lintParse("renovate.json", t), '{\n  "extends": [\n}\n', 1],
  ["json-parse: a clean file", (t) => lintParse("renovate.json", t), '{\n  "description": "café",\n  "extends": []\n}\n', 0],
  ...(
    [
      ["trivyignore: a complete entry", [], 0],
      ["trivyignore/why", ["# TODO(2026-12-15): x"], 1],
      ["trivyignore/todo", ["# WHY: unused path"], 1],
      ["trivyignore/exp", ["# WHY: unused path", "# TODO(2026-12-15): x"], 1, "CVE-2026-1234"],
      ["trivyignore/expired", ["# WHY: unused path", "# TODO(2026-12-15): x"], 1, "CVE-2026-1234 exp:2026-11-01"],
      ["trivyignore/revisit-due", ["# WHY: unused path", "# TODO(2026-11-01): x"], 1],
      ["trivyignore/id", ["# WHY: unused path", "# TODO(2026-12-15): x"], 1, "cve-2026-1234 exp:2027-01-01"],
    ] as [string, string[], number, string?][]
  ).map(([name, above, n, entry]): [string, Lint, string, number] => [
    name,
    (t) => lintTrivyignore(".trivyignore", t, NOW),
    ["# Accepted risks (café)", ...(above.length ? above : ["# WHY: unused path", "# TODO(2026-12-15): x"]), entry ?? "CVE-2026-1234 exp:2027-01-01", ""].join("\n"),
    n,
  ]),
  ["trivyignore/yaml (.trivyignore.yaml)", (t) => lintTrivyignoreYaml(".trivyignore.yaml", t, NOW), "# café\nvulnerabilities: CVE-2026-1234\n", 1],
  ["trivyignore/why (.trivyignore.yaml)", (t) => lintTrivyignoreYaml(".trivyignore.yaml", t, NOW), "# café\nvulnerabilities:\n  - id: CVE-2026-1234\n    expired_at: 2027-01-01\n", 2],
  ["trivyignore.yaml: a complete entry", (t) => lintTrivyignoreYaml(".trivyignore.yaml", t, NOW), "# café\nvulnerabilities:\n  - id: CVE-2026-1234\n    statement: 'unused. TODO(2026-12-15): x'\n    expired_at: 2027-01-01\n", 0],
  ["grype-ignore: a complete entry", (t) => lintGrypeIgnore(".grype.yaml", t, NOW), "# café\nignore:\n  # WHY: unused path\n  # TODO(2026-12-15): x\n  - vulnerability: CVE-2026-1234\n", 0],
  ["grype-ignore/why", (t) => lintGrypeIgnore(".grype.yaml", t, NOW), "# café\nignore:\n  # TODO(2026-12-15): x\n  - vulnerability: CVE-2026-1234\n", 1],
  ["grype-ignore/todo", (t) => lintGrypeIgnore(".grype.yaml", t, NOW), "# café\nignore:\n  # WHY: unused path\n  - vulnerability: CVE-2026-1234\n", 1],
  ["grype-ignore/expired", (t) => lintGrypeIgnore(".grype.yaml", t, NOW), "# café\nignore:\n  # WHY: unused path\n  # TODO(2026-11-01): x\n  - vulnerability: CVE-2026-1234\n", 1],
  ["grype-ignore/vulnerability", (t) => lintGrypeIgnore(".grype.yaml", t, NOW), "# café\nignore:\n  # WHY: unused path\n  # TODO(2026-12-15): x\n  - package:\n      name: openssl\n", 1],
  ["grype-ignore/yaml", (t) => lintGrypeIgnore(".grype.yaml", t, NOW), "# café\nignore:\n  vulnerability: CVE-2026-1234\n", 1],
];

describe("every validator rule reports the same on CRLF, a BOM and non-UTF-8 input as on LF", () => {
  for (const [name, lint, lf, count] of CASES) {
    const baseline = brief(lint(lf));
    it(`${name}: the LF case finds what it should`, () => {
      expect(baseline).toHaveLength(count);
      if (count > 0 && !name.includes("(")) expect(baseline.map((b) => b[0])).toContain(name.split(":")[0]);
    });
    for (const [encoding, text] of variants(lf)) {
      it(`${name}, ${encoding}`, () => {
        expect(brief(lint(text))).toEqual(baseline);
      });
    }
  }
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadPins } from "../../src/pins.js";
import type { Finding } from "../../src/types.js";
import { badRefs } from "../../src/validate/advisories.js";
import { lintPins } from "../../src/validate/pins.js";

const pins = loadPins();
const fixture = (name: string) => ({ path: name, text: readFileSync(new URL(`../fixtures/validate/pins/${name}`, import.meta.url), "utf8") });
const brief = (fs: Finding[]) => fs.map((f) => [f.rule, f.severity, f.line]);

const CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1";
const TRIVY_ACTION = "aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25 # v0.36.0";
const SETUP_TRIVY = "aquasecurity/setup-trivy@81e514348e19b6112ce2a7e3ecbafe19c1e1f567 # v0.3.1";

/** A workflow whose steps start on line 7; each step is given as its lines, the first after `- `. */
function wf(...steps: string[][]): string {
  const body = steps.flatMap(([first, ...rest]) => [`      - ${first}`, ...rest.map((l) => `        ${l}`)]);
  return ["name: t", "on: push", "jobs:", "  build:", "    runs-on: ubuntu-latest", "    steps:", ...body, ""].join("\n");
}

describe("lintPins, one rule at a time", () => {
  it.each([
    ["SHA pin with version comment", wf([`uses: ${CHECKOUT}`]), []],
    ["quoted uses: value", wf([`uses: "${CHECKOUT.replace(" #", '" #')}`]), []],
    ["local action", wf(["uses: ./.github/actions/build"]), []],
    ["tag ref", wf(["uses: actions/checkout@v4"]), [["pins/sha", "error", 7]]],
    ["branch ref", wf(["run: true"], ["uses: some/action@main"]), [["pins/sha", "error", 8]]],
    ["short SHA", wf(["uses: actions/checkout@3d3c42e"]), [["pins/sha", "error", 7]]],
    ["no ref at all", wf(["uses: actions/checkout"]), [["pins/ref", "error", 7]]],
    ["SHA without version comment", wf(["uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1"]), [["pins/version-comment", "error", 7]]],
    ["version comment on the line above (Renovate does not read it)", ["name: t", "on: push", "jobs:", "  b:", "    runs-on: x", "    steps:", "      # v7.0.1", "      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", ""].join("\n"), [["pins/version-comment", "error", 8]]],
    ["unprefixed version comment", wf(["uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # 7.0.1"]), []],
    ["docker image by digest", wf([`uses: docker://alpine@sha256:${"0".repeat(64)}`]), []],
    ["docker image by tag", wf(["uses: docker://alpine:3.22"]), [["pins/docker-digest", "warning", 7]]],
    ["unprefixed trivy-action tag that no longer resolves", wf(["uses: aquasecurity/trivy-action@0.28.0"]), [["pins/sha", "error", 7], ["pins/compromised", "error", 7]]],
    ["trivy-action 0.35.0, the one unprefixed tag kept", wf(["uses: aquasecurity/trivy-action@57a97c7e7821a5776cebc9bb87c984fa69cba8f1 # 0.35.0"]), []],
    ["setup-trivy tag in the rewritten range", wf(["uses: aquasecurity/setup-trivy@v0.2.5", "with:", "  version: v0.74.0"]), [["pins/sha", "error", 7], ["pins/compromised", "error", 7]]],
    ["trivy-action SHA of v0.31.0 (CVE-2026-26189)", wf(["uses: aquasecurity/trivy-action@76071ef0d7ec797419534a183b498b4d6366cf37 # v0.31.0"]), [["pins/compromised", "error", 7]]],
    ["trivy-action SHA of v0.33.1 under a v0.36.0 comment", wf(["uses: aquasecurity/trivy-action@b6643a29fecd7f34b3597bc6acb0a98b03d33ff8 # v0.36.0"]), [["pins/version-mismatch", "warning", 7], ["pins/compromised", "error", 7]]],
    ["trivy-action v0.34.0 (fixed)", wf(["uses: aquasecurity/trivy-action@c1824fd6edce30d7ab345a9989de00bbd46ef284 # v0.34.0"]), []],
    ["trivy-action with a pinned clean Trivy", wf([`uses: ${TRIVY_ACTION}`, "with:", "  version: v0.74.0"]), []],
    ["trivy-action with Trivy latest", wf([`uses: ${TRIVY_ACTION}`, "with:", "  version: latest"]), [["pins/trivy-version", "error", 9]]],
    ["trivy-action with a malicious Trivy", wf([`uses: ${TRIVY_ACTION}`, "with:", "  version: v0.69.5"]), [["pins/trivy-version", "error", 9]]],
    ["setup-trivy with a malicious Trivy, unprefixed", wf([`uses: ${SETUP_TRIVY}`, "with:", "  version: '0.69.6'"]), [["pins/trivy-version", "error", 9]]],
    ["malicious Trivy through an env var", ["name: t", "on: push", "env:", "  TRIVY: v0.69.4", "jobs:", "  b:", "    runs-on: x", "    steps:", `      - uses: ${SETUP_TRIVY}`, "        with:", "          version: ${{ env.TRIVY }}", ""].join("\n"), [["pins/trivy-version", "error", 11]]],
    ["setup-trivy without version (defaults to latest)", wf([`uses: ${SETUP_TRIVY}`]), [["pins/trivy-version", "error", 7]]],
    ["comment says our tag, SHA is another", wf(["uses: actions/checkout@0123456789abcdef0123456789abcdef01234567 # v7.0.1"]), [["pins/version-mismatch", "warning", 7]]],
    ["our SHA, comment says another tag", wf(["uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v6.0.0"]), [["pins/version-mismatch", "warning", 7]]],
    ["same action at two SHAs in one file", wf([`uses: ${CHECKOUT}`], ["uses: actions/checkout@0123456789abcdef0123456789abcdef01234567 # v6.0.0"]), [["pins/consistent", "warning", 8]]],
    ["go install at a version", wf(["run: go install golang.org/x/vuln/cmd/govulncheck@v1.6.0"]), []],
    ["go install @latest", wf(["run: go install golang.org/x/vuln/cmd/govulncheck@latest"]), [["pins/go-install", "error", 7]]],
    ["go install @master inside a block script", wf(["run: |", "  set -eu", "  go install example.com/tool@master", "  tool"]), [["pins/go-install", "error", 9]]],
    ["reusable workflow at a tag", ["name: t", "on: push", "jobs:", "  call:", "    uses: octo/shared/.github/workflows/x.yml@v1", ""].join("\n"), [["pins/sha", "error", 5]]],
    ["a file that does not parse", "jobs:\n  a: [unclosed\n", [["pins/yaml", "error", 3]]],
  ] as const)("%s", (_name, text, expected) => {
    expect(brief(lintPins([{ path: "w.yml", text }], pins))).toEqual(expected);
  });
});

describe("lintPins on workflow files", () => {
  it("passes the workflows we would generate", () => {
    expect(lintPins([fixture("ci.yml"), fixture("security-scan.yml")], pins)).toEqual([]);
  });

  it("warns when a file pins an action at another SHA, naming both files and lines", () => {
    const findings = lintPins([fixture("ci.yml"), fixture("drift.yml")], pins);
    expect(brief(findings)).toEqual([["pins/consistent", "warning", 7]]);
    expect(findings[0]?.file).toBe("drift.yml");
    expect(findings[0]?.message).toContain("ci.yml:14");
  });

  it("finds every problem in bad.yml on its line", () => {
    expect(brief(lintPins([fixture("bad.yml")], pins))).toEqual([
      ["pins/sha", "error", 5],
      ["pins/sha", "error", 9],
      ["pins/sha", "error", 10],
      ["pins/version-comment", "error", 12],
      ["pins/sha", "error", 13],
      ["pins/compromised", "error", 13],
      ["pins/compromised", "error", 14],
      ["pins/trivy-version", "error", 16],
      ["pins/version-mismatch", "warning", 17],
      ["pins/compromised", "error", 17],
      ["pins/consistent", "warning", 17],
      ["pins/trivy-version", "error", 20],
      ["pins/trivy-version", "error", 21],
      ["pins/sha", "error", 22],
      ["pins/compromised", "error", 22],
      ["pins/version-mismatch", "warning", 25],
      ["pins/version-mismatch", "warning", 26],
      ["pins/docker-digest", "warning", 27],
      ["pins/ref", "error", 28],
      ["pins/go-install", "error", 32],
      ["pins/go-install", "error", 34],
    ]);
  });

  it("understands every refsThatNoLongerResolve line in data/pins.json", () => {
    expect(() => badRefs(pins)).not.toThrow();
    const unknownShape = { ...pins, knownCompromised: { ...pins.knownCompromised, refsThatNoLongerResolve: ["some/action@everything"] } };
    expect(() => badRefs(unknownShape)).toThrow(/does not understand/);
  });
});

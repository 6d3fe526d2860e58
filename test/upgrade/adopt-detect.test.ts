import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { spotHandWritten } from "../../src/adopt/index.js";
import { repinTracked } from "../../src/adopt/repin.js";
import { answersSchema } from "../../src/answers/schema.js";
import { loadPins } from "../../src/pins.js";
import { buildView, renderGateStep, renderImageScanJob, renderSecurityScan } from "../../src/render/index.js";
import { ROOT } from "../support/repo.js";

const OLD = "57a97c7e7821a5776cebc9bb87c984fa69cba8f1";
const NEW = "ed142fd0673e97e23eac54620cfb913e5ce36c25";
const pins = loadPins();

/** A workflow with one job whose steps are `steps` (already indented as list items under `steps:`). */
const wf = (steps: string) => `on: pull_request\njobs:\n  scan:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`;
const run = (script: string) => wf(`      - name: s\n        run: |\n${script.split("\n").map((l) => `          ${l}`).join("\n")}\n`);

/** [name, workflow, expected [rule, line] pairs]. Line 6 is the first step's first line. */
const CASES: [string, string, [string, number][]][] = [
  ["Tracks above the step", wf(`      # Tracks: aquasecurity/trivy-action@v0.35.0\n      - name: Trivy\n        uses: aquasecurity/trivy-action@${OLD}\n`), [["tracks-comment", 8]]],
  ["Tracks right above uses:", wf(`      - name: Trivy\n        # Tracks: aquasecurity/trivy-action@v0.35.0\n        uses: aquasecurity/trivy-action@${OLD}\n`), [["tracks-comment", 8]]],
  ["Tracks in a comment block, uses first", wf(`      # Scan the image.\n      # tracks aquasecurity/trivy-action v0.35.0\n      - uses: aquasecurity/trivy-action@${OLD}\n`), [["tracks-comment", 8]]],
  ["a same-line version comment is fine", wf(`      # Tracks: aquasecurity/trivy-action@v0.35.0\n      - uses: aquasecurity/trivy-action@${OLD} # v0.35.0\n`), []],
  ["a bare SHA without Tracks is the pin linter's", wf(`      - uses: aquasecurity/trivy-action@${OLD}\n`), []],
  ["Tracks naming another action", wf(`      # Tracks: actions/checkout@v7\n      - uses: aquasecurity/trivy-action@${OLD}\n`), []],
  ["Tracks on another action is found too", wf(`      # Tracks: actions/checkout@v7.0.1\n      - uses: actions/checkout@${"3".repeat(40)}\n`), [["tracks-comment", 7]]],
  ["trivy-action by a tag", wf(`      - uses: aquasecurity/trivy-action@0.28.0\n      - uses: aquasecurity/trivy-action@master\n      - uses: aquasecurity/setup-trivy@v0.2.0\n`), [["trivy-tag-pin", 6], ["trivy-tag-pin", 7], ["trivy-tag-pin", 8]]],
  ["another action by a tag is the pin linter's", wf(`      - uses: actions/checkout@v4\n`), []],
  ["govulncheck -json alone", run("govulncheck -json ./... > out.json"), [["govulncheck-json-gate", 8]]],
  ["govulncheck -format sarif", run("go install golang.org/x/vuln/cmd/govulncheck@v1.9.0\ngovulncheck -format sarif ./... > out.sarif"), [["govulncheck-json-gate", 9]]],
  ["govulncheck -format=json from GOPATH", run('"$(go env GOPATH)"/bin/govulncheck -format=json ./...'), [["govulncheck-json-gate", 8]]],
  ["text mode decides (our own shape)", run("govulncheck ./... || rc=$?\ngovulncheck -format json ./... > out.json"), []],
  ["JSON with jq -e deciding", run("govulncheck -json ./... > out.json\njq -e '[.[] | select(.finding)] | length == 0' out.json"), []],
  ["only installing govulncheck", run("go install golang.org/x/vuln/cmd/govulncheck@v1.9.0"), []],
  ["govulncheck-action with output-format: sarif", wf(`      - uses: golang/govulncheck-action@${"b".repeat(40)} # v1.0.4\n        with:\n          output-format: sarif\n`), [["govulncheck-json-gate", 8]]],
  ["govulncheck-action in text mode", wf(`      - uses: golang/govulncheck-action@${"b".repeat(40)} # v1.0.4\n        with:\n          output-format: text\n`), []],
  ["issue found by title through search", run('n=$(gh issue list --search "$TITLE in:title" --json number)'), [["title-dedup", 8], ["search-index-lookup", 8]]],
  ["issue found by label, then title", run("gh issue list --label security --json number,title --jq '.[] | select(.title == \"Scan\") | .number'"), [["title-dedup", 8], ["search-index-lookup", 8]]],
  ["-l is --label; -L is only --limit", run("gh issue list -l security --json number\ngh issue list -L 100 --json number,body"), [["search-index-lookup", 8]]],
  ["gh search issues", run('gh search issues "Security scan" --repo "$GH_REPO"'), [["search-index-lookup", 8]]],
  ["github-script matching on title", wf("      - uses: actions/github-script@" + "c".repeat(40) + " # v7.0.1\n        with:\n          script: |\n            const issues = await github.rest.issues.listForRepo(context.repo);\n            const found = issues.data.find((i) => i.title === 'Security scan');\n"), [["title-dedup", 10]]],
  ["listing every issue and matching a body marker (ours)", run("gh issue list --state all --limit 1000 --json number,state,body > issues.json"), []],
  ["a title outside any issue call", run('echo "title: $TITLE" | grep -F .title'), []],
  ["a workflow that does not parse", "on: [push\njobs: {", []],
];

describe("spotting hand-written setups (src/adopt)", () => {
  it.each(CASES)("%s", (_name, text, want) => {
    expect(() => (text.startsWith("on: [push") ? null : parse(text))).not.toThrow();
    expect(spotHandWritten("w.yml", text).map((s) => [s.rule, s.line])).toEqual(want);
  });

  it("the fixture security-scan.yml: each pattern with its line", () => {
    const text = readFileSync(join(ROOT, "test/fixtures/upgrade/hand-written/security-scan.yml"), "utf8");
    expect(spotHandWritten("s.yml", text).map((s) => [s.rule, s.line])).toEqual([
      ["tracks-comment", 26],
      ["govulncheck-json-gate", 39],
      ["title-dedup", 46],
      ["search-index-lookup", 46],
    ]);
  });

  it("finds nothing in what relay-security itself writes", () => {
    const base = { image: "ghcr.io/acme/x", dockerfile: "Dockerfile", context: ".", branch: "main", schedule: "daily", severity: "CRITICAL,HIGH", label: "security", updater: "renovate", scanner: "trivy", imageScan: true, sarif: false };
    for (const over of [{}, { sarif: true }, { imageScan: false }, { scanner: "grype" }]) {
      const view = buildView({ answers: answersSchema.parse({ ...base, ...over }), modulePath: "github.com/acme/x", goModFile: "go.mod" });
      expect(spotHandWritten("s.yml", renderSecurityScan(view)), JSON.stringify(over)).toEqual([]);
      expect(spotHandWritten("g.yml", wf(renderGateStep(view, "x:1").replace(/^/gm, "      "))), "gate step").toEqual([]);
      expect(spotHandWritten("j.yml", `on: pull_request\njobs:\n${renderImageScanJob(view).replace(/^(?=.)/gm, "  ")}`), "image-scan job").toEqual([]);
    }
  });
});

describe("re-pinning a tracked Trivy pin (one line, nothing else)", () => {
  const text = wf(`      # Tracks: aquasecurity/trivy-action@v0.35.0\n      - name: Trivy\n        uses: aquasecurity/trivy-action@${OLD}\n        with:\n          image-ref: x:1\n`);

  it("rewrites only the uses: line, to our pin with its version on the line", () => {
    const { text: after, repins } = repinTracked(text, spotHandWritten("w.yml", text), pins);
    expect(repins).toEqual([{ line: 8, before: `        uses: aquasecurity/trivy-action@${OLD}`, after: `        uses: aquasecurity/trivy-action@${NEW} # v0.36.0` }]);
    expect(after).toBe(text.replace(`@${OLD}\n`, `@${NEW} # v0.36.0\n`));
  });

  it("keeps CRLF, a missing final newline, and replaces a quoted value or a non-version comment", () => {
    const crlf = text.replace(`@${OLD}`, `@${OLD}' # pinned`).replace("uses: aqua", "uses: 'aqua").replace(/\n$/, "").replace(/\n/g, "\r\n");
    const { text: after } = repinTracked(crlf, spotHandWritten("w.yml", crlf), pins);
    expect(after).toBe(crlf.replace(`'aquasecurity/trivy-action@${OLD}' # pinned`, `aquasecurity/trivy-action@${NEW} # v0.36.0`));
    expect(after.endsWith("x:1")).toBe(true);
  });

  it("does not re-pin other actions (only says how), and leaves a file without tracked pins as it is", () => {
    const other = wf(`      # Tracks: actions/checkout@v7.0.1\n      - uses: actions/checkout@${"3".repeat(40)}\n`);
    expect(repinTracked(other, spotHandWritten("w.yml", other), pins)).toEqual({ text: other, repins: [] });
  });
});

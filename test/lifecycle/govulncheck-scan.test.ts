import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixture, Runner } from "../support/lifecycle.js";
import { jsonStream } from "../support/govulncheck-json.js";
import { lifecycleScripts } from "../support/scripts.js";

const today = () => new Date().toISOString().slice(0, 10);
/** The fixture stream without its call-stack findings: only imported / required vulnerabilities. */
const importedOnly = () =>
  jsonStream(fixture("govulncheck-called-and-imported.json"))
    .filter((o) => !(o.finding && o.finding.trace.length >= 2))
    .map((o) => JSON.stringify(o, null, 2))
    .join("\n");

// Job `govulncheck`, step `scan`. The real govulncheck is exercised elsewhere (offline fixture DB);
// here a fake prints canned output so that every exit code can be driven.
describe("govulncheck-scan.sh", () => {
  let r: Runner;
  beforeEach(() => {
    r = new Runner();
  });
  afterEach(() => r.cleanup());

  const outDir = () => join(r.cwd, "relay-security-results/govulncheck");
  const scan = () => {
    const output = join(r.root, "github-output");
    writeFileSync(output, "");
    const run = r.run(lifecycleScripts().govulncheckScan, { OUT_DIR: "relay-security-results/govulncheck", GITHUB_OUTPUT: output });
    return { ...run, output: readFileSync(output, "utf8") };
  };

  it("exit 3 in text mode: findings, the text shown in the log, the JSON stream saved", () => {
    const log = r.fakeGovulncheck({ text: fixture("govulncheck-called.txt"), textExit: 3, json: fixture("govulncheck-called-and-imported.json") });
    const run = scan();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Vulnerability #1: GO-2025-3563");
    expect(readFileSync(join(outDir(), "status"), "utf8")).toBe("findings\n");
    expect(readFileSync(join(outDir(), "results.json"), "utf8")).toBe(fixture("govulncheck-called-and-imported.json"));
    expect(run.output).toBe("status=findings\n");
    expect(readFileSync(log, "utf8")).toBe("./...\n-format json ./...\n");
  });

  it("exit 0 in text mode and a JSON with imported-only vulnerabilities: clean", () => {
    r.fakeGovulncheck({ text: fixture("govulncheck-clean.txt"), textExit: 0, json: importedOnly() });
    const run = scan();
    expect(run.status).toBe(0);
    expect(readFileSync(join(outDir(), "status"), "utf8")).toBe("clean\n");
    expect(run.output).toBe("status=clean\n");
  });

  it("the JSON decides: text mode 0 but the JSON shows a called vulnerability is findings", () => {
    r.fakeGovulncheck({ text: fixture("govulncheck-clean.txt"), textExit: 0, json: fixture("govulncheck-called-and-imported.json") });
    expect([scan().output, readFileSync(join(outDir(), "status"), "utf8")]).toEqual(["status=findings\n", "findings\n"]);
  });

  it("the reports disagree the other way (text 3, no called finding in the JSON): findings, with a warning", () => {
    r.fakeGovulncheck({ text: fixture("govulncheck-called.txt"), textExit: 3, json: importedOnly() });
    const run = scan();
    expect(run.output).toBe("status=findings\n");
    expect(run.stdout).toMatch(/^::warning::govulncheck's text report found called vulnerabilities, but its JSON lists none/m);
  });

  describe("accepted risks in .govulncheckignore", () => {
    const BOTH = ["GO-2025-3563", "GO-2025-3487"];
    const entry = (id: string, exp: string) => `# WHY: fixture\n# TODO(2099-01-01): fixture\n${id} exp:${exp}\n`;
    const withIgnore = (text: string | Buffer) => {
      writeFileSync(join(r.cwd, ".govulncheckignore"), text);
      r.fakeGovulncheck({ text: fixture("govulncheck-called.txt"), textExit: 3, json: fixture("govulncheck-called-and-imported.json") });
      const run = scan();
      const accepted = existsSync(join(outDir(), "accepted.json")) ? readFileSync(join(outDir(), "accepted.json"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as unknown) : [];
      const called = jsonStream(readFileSync(join(outDir(), "results.json"), "utf8")).flatMap((o) => (o.finding && o.finding.trace.length >= 2 ? [o.finding.osv] : []));
      return { run, accepted, called: [...new Set(called)].sort() };
    };

    it("every called vulnerability accepted (by GO- ID and by a GHSA alias) until a future date: clean, listed with the date", () => {
      const r1 = withIgnore(entry("GO-2025-3563", "2099-12-31") + "\n" + entry("GHSA-hcg3-q754-cr77", "2099-06-30"));
      expect(r1.run.output).toBe("status=clean\n");
      expect(r1.accepted).toEqual([
        { id: "GO-2025-3487", accepted_as: "GHSA-hcg3-q754-cr77", exp: "2099-06-30" },
        { id: "GO-2025-3563", accepted_as: "GO-2025-3563", exp: "2099-12-31" },
      ]);
      expect(r1.called).toEqual([]); // the issue job reads results.json: the accepted findings are gone
      expect(r1.run.stdout).toContain("GO-2025-3487 is called but accepted in .govulncheckignore (as GHSA-hcg3-q754-cr77) until 2099-06-30");
    });

    it("one of two accepted: findings, and only the other one is left in the report", () => {
      const r1 = withIgnore(entry("CVE-2025-22871", "2099-12-31"));
      expect(r1.run.output).toBe("status=findings\n");
      expect(r1.called).toEqual(["GO-2025-3487"]);
      expect(r1.accepted).toEqual([{ id: "GO-2025-3563", accepted_as: "CVE-2025-22871", exp: "2099-12-31" }]);
    });

    it.each([
      ["expired", entry("GO-2025-3563", "2020-01-01") + entry("GO-2025-3487", "2020-01-01"), "expired on 2020-01-01"],
      ["dated today (expired at midnight UTC)", entry("GO-2025-3563", today()) + entry("GO-2025-3487", today()), `expired on ${today()}`],
      ["without exp:", "GO-2025-3563\nGO-2025-3487\n", "no valid exp:"],
      ["with a malformed exp:", "GO-2025-3563 exp:2099-1-1\nGO-2025-3487 exp:31-12-2099\n", "no valid exp:"],
    ])("entries %s do not count: findings, both back in the report, a warning", (_name, text, why) => {
      const r1 = withIgnore(text);
      expect(r1.run.output).toBe("status=findings\n");
      expect(r1.called).toEqual(BOTH.slice().sort());
      expect(r1.accepted).toEqual([]);
      expect(r1.run.stdout).toContain(`::warning::.govulncheckignore: GO-2025-3563 is not accepted (${why})`);
    });

    it.each([
      ["CRLF line endings", (t: string) => Buffer.from(t.replaceAll("\n", "\r\n"))],
      // The BOM right before an ID: the first entry must still be read as GO-2025-3563.
      ["a UTF-8 BOM", (t: string) => Buffer.from(`\ufeff${t.split("\n").filter((l) => !l.startsWith("#")).join("\n")}`)],
      ["non-UTF-8 bytes in a comment", (t: string) => Buffer.concat([Buffer.from("# caf\xe9 latin-1: \n", "latin1"), Buffer.from(t)])],
    ])("%s: the entries still count", (_name, encode) => {
      const r1 = withIgnore(encode(entry("GO-2025-3563", "2099-12-31") + entry("GO-2025-3487", "2099-12-31")));
      expect(r1.run.output).toBe("status=clean\n");
      expect(r1.accepted.map((a) => (a as { id: string }).id)).toEqual(BOTH.slice().sort());
    });

    it("an ID is matched exactly: a lower-case GO id accepts nothing", () => {
      expect(withIgnore(entry("go-2025-3563", "2099-12-31") + entry("GO-2025-3487", "2099-12-31")).run.output).toBe("status=findings\n");
    });
  });

  it.each([1, 2])("exit %i in text mode: the output is shown, ::error::, exit 1, no status", (code) => {
    const log = r.fakeGovulncheck({ text: "govulncheck: loading packages: go: updates to go.mod needed\n", textExit: code, json: "" });
    const run = scan();
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("loading packages");
    expect(run.stdout).toMatch(new RegExp(`^::error::govulncheck failed \\(exit code ${code}`, "m"));
    expect(existsSync(join(outDir(), "status"))).toBe(false);
    expect(run.output).toBe("");
    expect(readFileSync(log, "utf8")).toBe("./...\n"); // the JSON pass never ran
  });

  it.each([
    ["exits non-zero", { json: fixture("govulncheck-called-and-imported.json"), jsonExit: 1 }],
    ["prints nothing", { json: "" }],
    ["prints something else", { json: "{\"osv\": " }],
  ])("the JSON pass %s: ::error::, exit 1, no status", (_name, j) => {
    r.fakeGovulncheck({ text: fixture("govulncheck-called.txt"), textExit: 3, ...j });
    const run = scan();
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^::error::govulncheck -format json failed/m);
    expect(existsSync(join(outDir(), "status"))).toBe(false);
    expect(existsSync(join(outDir(), "results.json"))).toBe(false);
  });
});

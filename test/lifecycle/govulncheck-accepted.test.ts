/**
 * Accepted govulncheck risks from the scan to the issue (issue 17): the rescan's scan step (fake
 * govulncheck, canned JSON) writes results without the accepted findings plus accepted.json, and the
 * issues step lists what was accepted and until when, next to what still counts.
 */
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cells, fixture, Runner, tableRows } from "../support/lifecycle.js";
import { lifecycleScripts } from "../support/scripts.js";

describe("accepted govulncheck risks in the issue", () => {
  let r: Runner;
  beforeEach(() => {
    r = new Runner();
  });
  afterEach(() => r.cleanup());

  const scanThenFile = (ignore: string) => {
    writeFileSync(join(r.cwd, ".govulncheckignore"), ignore);
    r.fakeGovulncheck({ text: fixture("govulncheck-called.txt"), textExit: 3, json: fixture("govulncheck-called-and-imported.json") });
    const scan = r.run(lifecycleScripts().govulncheckScan, { OUT_DIR: "out/govulncheck", IGNORE_FILE: ".govulncheckignore" });
    expect(scan.status).toBe(0);
    cpSync(join(r.cwd, "out"), r.resultsDir, { recursive: true }); // what download-artifact gives the issues job
    return r.issues({ TARGETS: "govulncheck" });
  };

  it("lists the accepted vulnerability with its date, and only the unaccepted one in the table", () => {
    const run = scanThenFile("# WHY: x\n# TODO(2099-01-01): y\nCVE-2025-22871 exp:2099-12-31\n");
    expect(run.stdout).toBe("govulncheck: created #1\n");
    const body = r.gh.issue(1).body;
    expect(tableRows(body).map((row) => cells(row)[0])).toEqual(["[GO-2025-3487](https://pkg.go.dev/vuln/GO-2025-3487)"]);
    expect(body).toContain("**Accepted in `.govulncheckignore`** (called, but not counted until the date): GO-2025-3563 (as CVE-2025-22871) until 2099-12-31.");
  });

  it("without accepted entries the issue says nothing about them", () => {
    scanThenFile("# header only\n");
    expect(r.gh.issue(1).body).not.toContain("Accepted in");
  });

  it("with --reachability's vex.json next to the results: the issue lists what the gate does not fail on", () => {
    const vex = {
      "@context": "https://openvex.dev/ns/v0.2.0",
      statements: [{
        vulnerability: { name: "GO-2025-3488", aliases: ["CVE-2025-22868"] },
        products: [{ "@id": "pkg:golang/example.com/widget", subcomponents: [{ "@id": "pkg:golang/golang.org/x/oauth2@v0.26.0" }] }],
        status: "not_affected",
        justification: "vulnerable_code_not_in_execute_path",
      }],
    };
    r.writeResult("govulncheck", "findings", fixture("govulncheck-called-and-imported.json"));
    writeFileSync(join(r.resultsDir, "govulncheck", "vex.json"), JSON.stringify(vex));
    expect(r.issues({ TARGETS: "govulncheck" }).stdout).toBe("govulncheck: created #1\n");
    expect(r.gh.issue(1).body).toContain(
      "**Not called** (govulncheck's OpenVEX): the PR gate (`--reachability`) does not fail on these in the image: GO-2025-3488 (golang.org/x/oauth2@\u200bv0.26.0, vulnerable\\_code\\_not\\_in\\_execute\\_path).",
    );
  });

  it("everything accepted: the scan is clean and no issue is opened", () => {
    const run = scanThenFile("# WHY: x\n# TODO(2099-01-01): y\nGO-2025-3563 exp:2099-12-31\n\n# WHY: x\n# TODO(2099-01-01): y\nGO-2025-3487 exp:2099-12-31\n");
    expect(run.stdout).toBe("govulncheck: nothing to do\n");
  });
});

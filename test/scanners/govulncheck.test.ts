/**
 * The rescan's govulncheck step with the real govulncheck on a fixture DB (issue 5): a stdlib advisory on
 * `path.Match` (test/support/scanner-fixtures.ts). The rendered `govulncheck-scan.sh` runs unchanged; a
 * `govulncheck` first on PATH adds `-db file://...`, execs the real binary and logs each exit code, so one
 * run proves text mode (3 when called, 0 when only imported), `-format json` (always 0) and the status.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { GO_VULN, goEnv, govulnFixtures, VULN, type GovulnFixtures } from "../support/scanner-fixtures.js";
import { jsonStream } from "../support/govulncheck-json.js";
import { requireTool } from "../support/tools.js";
import { renderedSecurityScan, runScriptOf } from "../support/workflow.js";

const govulncheck = requireTool("govulncheck");
const go = requireTool("go");

type Finding = { finding?: { osv: string; trace: { function?: string; package?: string }[] } };

describe.skipIf(!govulncheck || !go).concurrent("govulncheck-scan.sh with the real govulncheck and a fixture DB", () => {
  let fx: GovulnFixtures;
  beforeAll(() => {
    fx = govulnFixtures();
  });

  /** Run the rendered scan script in a copy of `module`; returns the wrapper's log and the outputs. */
  async function scan(module: string, ignoreFile?: string) {
    const dir = mkdtempSync(join(tmpdir(), "relay-govuln-"));
    const work = join(dir, "repo");
    cpSync(module, work, { recursive: true });
    if (ignoreFile !== undefined) writeFileSync(join(work, ".govulncheckignore"), ignoreFile);
    const bin = join(dir, "bin");
    const log = join(dir, "calls.log");
    mkdirSync(bin);
    writeFileSync(join(bin, "govulncheck"), [
      "#!/bin/sh",
      `"${govulncheck}" -db "${fx.dbUrl}" "$@"`,
      "rc=$?",
      `echo "$* => $rc" >>"${log}"`,
      "exit $rc",
      "",
    ].join("\n"));
    chmodSync(join(bin, "govulncheck"), 0o755);
    const outputs = join(dir, "github-output");
    const r = await execa("bash", ["-c", runScriptOf(renderedSecurityScan(), "govulncheck", "scan")], {
      cwd: work, reject: false,
      env: goEnv({ OUT_DIR: "relay-security-results/govulncheck", IGNORE_FILE: ".govulncheckignore", GITHUB_OUTPUT: outputs, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` }),
    });
    const results = join(work, "relay-security-results/govulncheck");
    return {
      exitCode: r.exitCode,
      output: `${r.stdout}\n${r.stderr}`,
      calls: readFileSync(log, "utf8").trim().split("\n"),
      status: existsSync(join(results, "status")) ? readFileSync(join(results, "status"), "utf8").trim() : undefined,
      githubOutput: existsSync(outputs) ? readFileSync(outputs, "utf8") : "",
      findings: (jsonStream(readFileSync(join(results, "results.json"), "utf8")) as Finding[]).flatMap((o) => (o.finding ? [o.finding] : [])),
      accepted: existsSync(join(results, "accepted.json")) ? readFileSync(join(results, "accepted.json"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as unknown) : [],
    };
  }

  const entry = (id: string, exp: string) => `# WHY: fixture\n# TODO(2099-01-01): fixture\n${id} exp:${exp}\n`;
  const today = new Date().toISOString().slice(0, 10);

  it("called but accepted in .govulncheckignore until a future date: text mode still exits 3, the status is clean", async () => {
    const r = await scan(fx.calls, entry(GO_VULN, "2099-12-31"));
    expect(r.calls).toEqual(["./... => 3", "-format json ./... => 0"]);
    expect([r.exitCode, r.status]).toEqual([0, "clean"]);
    expect(r.accepted).toEqual([{ id: GO_VULN, accepted_as: GO_VULN, exp: "2099-12-31" }]);
    expect(r.findings.some((f) => f.osv === GO_VULN)).toBe(false);
  });

  it("accepted by its CVE alias: clean as well", async () => {
    const r = await scan(fx.calls, entry(VULN.stdlib, "2099-12-31"));
    expect([r.status, r.accepted]).toEqual(["clean", [{ id: GO_VULN, accepted_as: VULN.stdlib, exp: "2099-12-31" }]]);
  });

  it.each([["2020-01-01"], [today]])("accepted but expired (exp:%s): findings again, with a warning", async (exp) => {
    const r = await scan(fx.calls, entry(GO_VULN, exp));
    expect([r.exitCode, r.status, r.accepted]).toEqual([0, "findings", []]);
    expect(r.output).toContain(`::warning::.govulncheckignore: ${GO_VULN} is not accepted (expired on ${exp})`);
    expect(r.findings.some((f) => f.osv === GO_VULN && f.trace[0]?.function === "Match")).toBe(true);
  });

  it("a module that calls path.Match: text mode exits 3, -format json 0, status findings", async () => {
    const r = await scan(fx.calls);
    expect(r.calls).toEqual(["./... => 3", "-format json ./... => 0"]);
    expect([r.exitCode, r.status, r.githubOutput]).toEqual([0, "findings", "status=findings\n"]);
    const called = r.findings.filter((f) => f.osv === GO_VULN && f.trace[0]?.function === "Match" && f.trace.length >= 2);
    expect(called.length).toBeGreaterThan(0);
    expect(r.output).toContain(GO_VULN);
  });

  it("a module that imports path but only calls path.Base: text mode exits 0, status clean", async () => {
    const r = await scan(fx.imports);
    expect(r.calls).toEqual(["./... => 0", "-format json ./... => 0"]);
    expect([r.exitCode, r.status, r.githubOutput]).toEqual([0, "clean", "status=clean\n"]);
    // The advisory was read: the JSON has it at package level (imported), never as a called function.
    expect(r.findings.some((f) => f.osv === GO_VULN && f.trace[0]?.package === "path")).toBe(true);
    expect(r.findings.some((f) => f.osv === GO_VULN && f.trace[0]?.function)).toBe(false);
  });
});

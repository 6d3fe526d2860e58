/**
 * --report code-scanning (issue 20 item 8) with the real govulncheck on the fixture DB: the rendered scan
 * step, then the rendered SARIF step, in one checkout. The SARIF that is uploaded must hold what the scan
 * counted (called, not accepted), although govulncheck's own SARIF also lists what is only imported.
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { GO_VULN, goEnv, govulnFixtures, type GovulnFixtures } from "../support/scanner-fixtures.js";
import { requireTool } from "../support/tools.js";
import { renderedSecurityScan, runScriptOf } from "../support/workflow.js";

const govulncheck = requireTool("govulncheck");
const go = requireTool("go");
type Sarif = { runs: { results: { ruleId: string }[] }[] };
const ruleIds = (s: Sarif) => s.runs.flatMap((r) => r.results.map((x) => x.ruleId));

describe.skipIf(!govulncheck || !go)("govulncheck-sarif.sh with the real govulncheck", () => {
  let fx: GovulnFixtures;
  beforeAll(() => {
    fx = govulnFixtures();
  });
  const workflow = renderedSecurityScan({ report: "code-scanning" });

  async function run(module: string, ignoreFile?: string) {
    const dir = mkdtempSync(join(tmpdir(), "relay-govuln-sarif-"));
    const work = join(dir, "repo");
    cpSync(module, work, { recursive: true });
    if (ignoreFile !== undefined) writeFileSync(join(work, ".govulncheckignore"), ignoreFile);
    const bin = join(dir, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "govulncheck"), `#!/bin/sh\nexec "${govulncheck}" -db "${fx.dbUrl}" "$@"\n`);
    chmodSync(join(bin, "govulncheck"), 0o755);
    const env = goEnv({ OUT_DIR: "relay-security-results/govulncheck", IGNORE_FILE: ".govulncheckignore", PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` });
    const scan = await execa("bash", ["-c", runScriptOf(workflow, "govulncheck", "scan")], { cwd: work, reject: false, env });
    expect(scan.exitCode, scan.stderr).toBe(0);
    const sarif = await execa("bash", ["-c", runScriptOf(workflow, "govulncheck", "sarif")], { cwd: work, reject: false, env });
    const raw = await execa(join(bin, "govulncheck"), ["-format", "sarif", "./..."], { cwd: work, reject: false, env });
    return { exitCode: sarif.exitCode, stdout: sarif.stdout, uploaded: JSON.parse(readFileSync(join(work, "govulncheck.sarif"), "utf8")) as Sarif, raw: JSON.parse(raw.stdout) as Sarif };
  }

  it("a module that calls path.Match: the called vulnerability is uploaded", async () => {
    const r = await run(fx.calls);
    expect(r.exitCode).toBe(0);
    expect(ruleIds(r.uploaded)).toContain(GO_VULN);
    expect(new Set(ruleIds(r.uploaded))).toEqual(new Set([GO_VULN]));
  });

  it("a module that only imports path: nothing uploaded (an empty report closes the alerts); control: govulncheck's own SARIF lists it", async () => {
    const r = await run(fx.imports);
    expect(ruleIds(r.raw)).toContain(GO_VULN);
    expect(ruleIds(r.uploaded)).toEqual([]);
    expect(r.stdout).toContain("govulncheck: 0 result(s) for code scanning");
  });

  it("called but accepted in .govulncheckignore: nothing uploaded", async () => {
    const r = await run(fx.calls, `# WHY: fixture\n# TODO(2099-01-01): fixture\n${GO_VULN} exp:2099-12-31\n`);
    expect(ruleIds(r.raw)).toContain(GO_VULN);
    expect(ruleIds(r.uploaded)).toEqual([]);
  });
});

/**
 * `--reachability` (issue 17) with the real govulncheck and the real Trivy on fixture databases: the
 * rendered VEX step runs govulncheck -format openvex on a service that depends on vulnlib (calls
 * AlsoBad, never Bad, never path.Match), fixes the statements up, and the rendered gate step hands the
 * result to Trivy (TRIVY_VEX) on an image holding that service's binary. Each suppression has a
 * control: without the VEX, with govulncheck's raw VEX, and with a fix-up that keeps the stdlib.
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { execa } from "execa";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { renderGateStep } from "../../src/render/index.js";
import { viewWith } from "../support/answers.js";
import {
  GHSA_LIB_NOT_CALLED, GO_VULN, GO_VULN_LIB, govulnFixtures, moduleEnv, trivyFixtures, VULN, VULNLIB, type GovulnFixtures, type TrivyFixtures,
} from "../support/scanner-fixtures.js";
import { requireTool } from "../support/tools.js";
import { renderedSecurityScan, runScriptOf } from "../support/workflow.js";
import { trivyActionRun } from "../../src/validate/trivy-args.js";
import { offlineFlags, runTrivyStep, workspace } from "./helpers.js";

const govulncheck = requireTool("govulncheck");
const go = requireTool("go");
const trivy = requireTool("trivy");
const MODULE = "example.com/relay-fixture/govuln-module";

type Step = { id?: string; uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown> };
type Vex = { statements: { vulnerability: { name: string; aliases?: string[] }; products: { "@id": string; subcomponents?: { "@id": string }[] }[]; status: string; justification?: string }[] };

/** The gate steps exactly as a user with --reachability gets them (the module path is the fixture's). */
function gateSteps(over: Record<string, unknown> = {}): Step[] {
  const view = { ...viewWith({ reachability: true, ...over }), modulePath: MODULE };
  return parse(renderGateStep(view, view.prImageRef)) as Step[];
}
const step = (id: string, steps = gateSteps()) => {
  const s = steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
};

describe.skipIf(!govulncheck || !go)("--reachability: the VEX step with the real govulncheck", () => {
  let fx: GovulnFixtures;
  let work: string;
  let run: { exitCode: number; output: string; vex: Vex; raw: Vex };
  beforeAll(async () => {
    fx = govulnFixtures();
    const dir = mkdtempSync(join(tmpdir(), "relay-vex-"));
    work = join(dir, "repo");
    cpSync(fx.module, work, { recursive: true });
    // govulncheck as installed by the step before, with the fixture DB; it also keeps a raw copy.
    const bin = join(dir, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "govulncheck"), `#!/bin/sh\n"${govulncheck}" -db "${fx.dbUrl}" "$@" | tee "${dir}/raw.json"\n`);
    chmodSync(join(bin, "govulncheck"), 0o755);
    const vexStep = step("relay-security-vex");
    const r = await execa("bash", ["-c", vexStep.run ?? ""], {
      cwd: work, reject: false,
      env: moduleEnv({ ...vexStep.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` }),
    });
    if (r.exitCode !== 0) throw new Error(`the VEX step failed:\n${r.stdout}\n${r.stderr}`);
    run = {
      exitCode: r.exitCode ?? -1,
      output: `${r.stdout}\n${r.stderr}`,
      vex: JSON.parse(readFileSync(join(work, vexStep.env?.VEX_FILE ?? ""), "utf8")) as Vex,
      raw: JSON.parse(readFileSync(join(dir, "raw.json"), "utf8")) as Vex,
    };
  }, 240_000);

  it("govulncheck itself names no product (golang/go#68152) and escapes the module path", () => {
    expect(run.raw.statements.map((s) => [s.vulnerability.name, s.status]).sort()).toEqual([
      [GO_VULN, "not_affected"], [GO_VULN_LIB.notCalled, "not_affected"], [GO_VULN_LIB.called, "affected"],
    ]);
    const bad = run.raw.statements.find((s) => s.vulnerability.name === GO_VULN_LIB.notCalled);
    expect(bad?.products).toEqual([{ "@id": "Unknown Product", subcomponents: [{ "@id": `pkg:golang/${VULNLIB.path.replaceAll("/", "%2F")}@${VULNLIB.version}` }] }]);
  });

  it("keeps only the module vulnerability that is not called, under the service's binary, with its aliases", () => {
    expect(run.exitCode).toBe(0);
    expect(run.vex.statements).toEqual([
      expect.objectContaining({
        vulnerability: expect.objectContaining({ name: GO_VULN_LIB.notCalled, aliases: [VULN.libNotCalled, GHSA_LIB_NOT_CALLED] }),
        products: [{ "@id": `pkg:golang/${MODULE}`, subcomponents: [{ "@id": `pkg:golang/${VULNLIB.path}@${VULNLIB.version}` }] }],
        status: "not_affected",
        justification: "vulnerable_code_not_in_execute_path",
      }),
    ]);
  });

  it("says in the log what may be suppressed and that the standard library never is", () => {
    expect(run.output).toContain(`${GO_VULN_LIB.notCalled} / ${VULN.libNotCalled} / ${GHSA_LIB_NOT_CALLED} in pkg:golang/${VULNLIB.path}@${VULNLIB.version} is not called (vulnerable_code_not_in_execute_path): the image scan does not fail on it`);
    expect(run.output).toMatch(new RegExp(`${GO_VULN} / ${VULN.stdlib} in pkg:golang/stdlib@v[0-9.]+ is not called, but the Go standard library is never suppressed`));
    expect(run.output).not.toContain(`${GO_VULN_LIB.called} /`);
  });

  it("the rescan's govulncheck job runs the same step for its issue (same script, same module)", () => {
    const rescan = runScriptOf(renderedSecurityScan({ reachability: true }), "govulncheck", "vex");
    // The rescan's is a file of its own (issue 10): our header, then the gate's script byte for byte.
    expect(rescan.endsWith(`\n${step("relay-security-vex").run}`)).toBe(true);
  });

  it("a govulncheck that fails leaves an empty VEX (nothing suppressed) and a warning", async () => {
    const dir = mkdtempSync(join(tmpdir(), "relay-vex-fail-"));
    writeFileSync(join(dir, "go.mod"), "module example.com/broken\n\ngo 1.22\n");
    writeFileSync(join(dir, "main.go"), "package main\n\nfunc main() { undefined() }\n");
    const vexStep = step("relay-security-vex");
    const bin = join(dir, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "govulncheck"), `#!/bin/sh\nexec "${govulncheck}" -db "${fx.dbUrl}" "$@"\n`);
    chmodSync(join(bin, "govulncheck"), 0o755);
    const r = await execa("bash", ["-c", vexStep.run ?? ""], { cwd: dir, reject: false, env: moduleEnv({ ...vexStep.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` }) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^::warning::govulncheck -format openvex failed/m);
    expect((JSON.parse(readFileSync(join(dir, "relay-security.vex.json"), "utf8")) as Vex).statements).toEqual([]);
  }, 120_000);

  describe.skipIf(!trivy)("handed to the real Trivy by the gate step", () => {
    let tfx: TrivyFixtures;
    beforeAll(() => {
      tfx = trivyFixtures();
    }, 600_000);

    /** The gate's Trivy step on the gomodule image, with `vex` as its TRIVY_VEX file (or none). */
    const gate = async (vex: Vex | undefined, over: Record<string, unknown> = {}) => {
      const scan = step("relay-security-scan", gateSteps(over));
      const cwd = workspace();
      const env: Record<string, string> = { ...scan.env };
      if (vex) writeFileSync(join(cwd, env.TRIVY_VEX ?? ""), JSON.stringify(vex));
      else delete env.TRIVY_VEX;
      return runTrivyStep(trivy ?? "", scan.with ?? {}, { archive: tfx.images.gomodule, cacheDir: tfx.cacheDir, cwd, env });
    };
    const suppressed = (report: unknown) =>
      ((report as { Results?: { ExperimentalModifiedFindings?: { Finding: { VulnerabilityID: string }; Status: string; Source: string }[] }[] }).Results ?? [])
        .flatMap((r) => r.ExperimentalModifiedFindings ?? []).map((m) => `${m.Finding.VulnerabilityID} ${m.Status}`);

    it("control: without VEX the gate fails on all three (not called, called, stdlib)", async () => {
      const r = await gate(undefined);
      expect([r.exitCode, r.vulns]).toEqual([1, [`${VULN.libNotCalled} ${VULNLIB.path}`, `${VULN.stdlib} stdlib`, `${VULN.libCalled} ${VULNLIB.path}`].sort()]);
    });

    it("with the fixed-up VEX only the module vulnerability that is not called is suppressed", async () => {
      const r = await gate(run.vex);
      expect([r.exitCode, r.vulns]).toEqual([1, [`${VULN.stdlib} stdlib`, `${VULN.libCalled} ${VULNLIB.path}`].sort()]);
      expect(suppressed(r.report)).toEqual([`${VULN.libNotCalled} not_affected`]);
    });

    it("the PR's log (Trivy's table, with the step's TRIVY_SHOW_SUPPRESSED) lists what VEX suppressed and why", async () => {
      const scan = step("relay-security-scan");
      const cwd = workspace();
      writeFileSync(join(cwd, scan.env?.TRIVY_VEX ?? ""), JSON.stringify(run.vex));
      const run2 = trivyActionRun(scan.with ?? {});
      const r = await execa(trivy ?? "", [run2.scanType, ...offlineFlags(tfx.cacheDir), "--input", tfx.images.gomodule, "relay-fixture/gomodule:latest"], {
        cwd, reject: false, env: { ...scan.env, ...run2.env },
      });
      const table = r.stdout.slice(r.stdout.indexOf("Suppressed Vulnerabilities"));
      expect(table).toMatch(new RegExp(`${VULNLIB.path}.*${VULN.libNotCalled}.*not_affected.*vulnerable_code_not_in_execute_path.*relay-security\\.vex\\.json`));
      expect(table).not.toContain(VULN.libCalled);
    });

    it("severity CRITICAL: the gate passes with the VEX and fails without it", async () => {
      expect((await gate(run.vex, { severity: "CRITICAL" })).exitCode).toBe(0);
      expect((await gate(undefined, { severity: "CRITICAL" })).vulns).toEqual([`${VULN.libNotCalled} ${VULNLIB.path}`]);
    });

    it("control: govulncheck's own VEX suppresses nothing (no product Trivy knows)", async () => {
      const r = await gate(run.raw);
      expect(r.vulns).toEqual([`${VULN.libNotCalled} ${VULNLIB.path}`, `${VULN.stdlib} stdlib`, `${VULN.libCalled} ${VULNLIB.path}`].sort());
    });

    it("control: a fix-up that kept the stdlib statement would suppress the stdlib finding, which ours never does", async () => {
      const stdlib = run.raw.statements.find((s) => s.vulnerability.name === GO_VULN);
      const sub = stdlib?.products[0]?.subcomponents?.[0]?.["@id"] ?? "";
      const naive = { ...run.vex, statements: [...run.vex.statements, { ...stdlib, products: [{ "@id": `pkg:golang/${MODULE}`, subcomponents: [{ "@id": sub }] }] }] } as Vex;
      const r = await gate(naive);
      expect(r.vulns).toEqual([`${VULN.libCalled} ${VULNLIB.path}`]);
    });
  });
});

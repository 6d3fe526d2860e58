/**
 * The PR gate, proven with the real Trivy (issue 5): the policy comes from the step we render, the DB
 * and images are fixtures (test/support/scanner-fixtures.ts), and every "passes" has a control that
 * fails, so a DB Trivy never read cannot pass the suite.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { trivyFixtures, VULN, type TrivyFixtures } from "../support/scanner-fixtures.js";
import { requireTool } from "../support/tools.js";
import { renderedSecurityScan, runScriptOf } from "../support/workflow.js";
import { renderedGateWith, renderedRescanWith, runTrivyStep, workspace } from "./helpers.js";

const trivy = requireTool("trivy");
// The fixtures are built with Go (the DB writer in test/tools/trivydb, the Go binary in an image).
const go = requireTool("go");
const today = new Date().toISOString().slice(0, 10);
const ignoreEntry = (exp: string) => `\n# WHY: fixture\n# TODO(2099-01-01): fixture\n${VULN.openssl} exp:${exp}\n`;

describe.skipIf(!trivy || !go)("the PR gate step, run by the real Trivy", () => {
  let fx: TrivyFixtures;
  beforeAll(() => {
    fx = trivyFixtures();
  });
  const gate = (image: keyof TrivyFixtures["images"], withInputs = renderedGateWith(), cwd?: string) =>
    runTrivyStep(trivy ?? "", withInputs, { archive: fx.images[image], cacheDir: fx.cacheDir, ...(cwd ? { cwd } : {}) });

  it("renders the policy these tests rely on", () => {
    expect(renderedGateWith()).toMatchObject({ severity: "CRITICAL,HIGH", "ignore-unfixed": true, "exit-code": "1", trivyignores: ".trivyignore", scanners: "vuln" });
  });

  it("fails on a fixable CRITICAL (openssl, through the apk origin of libcrypto3)", async () => {
    const r = await gate("openssl");
    expect(r.vulns).toEqual([`${VULN.openssl} libcrypto3`]);
    expect(r.exitCode).toBe(1);
  });

  it("passes an unfixed CRITICAL (zlib); control: without ignore-unfixed it fails", async () => {
    const r = await gate("zlib");
    expect([r.exitCode, r.vulns]).toEqual([0, []]);
    const control = await gate("zlib", { ...renderedGateWith(), "ignore-unfixed": false });
    expect([control.exitCode, control.vulns]).toEqual([1, [`${VULN.zlib} zlib`]]);
  });

  it("passes a fixable MEDIUM (musl); control: with severity MEDIUM it fails", async () => {
    const r = await gate("musl");
    expect([r.exitCode, r.vulns]).toEqual([0, []]);
    const control = await gate("musl", renderedGateWith({ severity: "MEDIUM" }));
    expect([control.exitCode, control.vulns]).toEqual([1, [`${VULN.musl} musl`]]);
  });

  it("a .trivyignore entry with a future exp: suppresses the CRITICAL", async () => {
    const r = await gate("openssl", renderedGateWith(), workspace(ignoreEntry("2099-12-31")));
    expect([r.exitCode, r.vulns]).toEqual([0, []]);
  });

  it.each([["in the past", "2020-01-01"], ["today (expired at midnight UTC)", today]])("an entry that expired %s does not", async (_, exp) => {
    const r = await gate("openssl", renderedGateWith(), workspace(ignoreEntry(exp)));
    expect([r.exitCode, r.vulns]).toEqual([1, [`${VULN.openssl} libcrypto3`]]);
  });

  it("fails on the Go standard library in a compiled binary (build info), at the local Go version", async () => {
    const r = await gate("gobin");
    expect([r.exitCode, r.vulns]).toEqual([1, [`${VULN.stdlib} stdlib`]]);
    const v = (r.report as { Results: { Vulnerabilities?: { InstalledVersion: string; FixedVersion: string }[] }[] }).Results.flatMap((x) => x.Vulnerabilities ?? []);
    expect(v).toEqual([expect.objectContaining({ InstalledVersion: `v${fx.go.version}`, FixedVersion: fx.go.fixed })]);
  });
});

describe.skipIf(!trivy || !go)("the scheduled rescan: the same policy, JSON, and trivy-decide.sh", () => {
  let fx: TrivyFixtures;
  beforeAll(() => {
    fx = trivyFixtures();
  });

  it("has the gate's policy inputs", () => {
    const { format, output, "exit-code": exitCode, ...policy } = renderedRescanWith();
    const { "image-ref": _g, "exit-code": _e, ...gatePolicy } = renderedGateWith();
    expect([format, output, exitCode]).toEqual(["json", "trivy-results.json", "0"]);
    expect({ ...policy, "image-ref": undefined }).toEqual({ ...gatePolicy, "image-ref": undefined });
  });

  it.each([
    ["openssl", "findings"],
    ["zlib", "clean"],
    ["musl", "clean"],
    ["gobin", "findings"],
  ] as const)("%s: Trivy exits 0 and decide says %s", async (image, status) => {
    const cwd = workspace();
    const r = await runTrivyStep(trivy ?? "", renderedRescanWith(), { archive: fx.images[image], cacheDir: fx.cacheDir, cwd });
    expect(r.exitCode).toBe(0);
    expect(r.vulns.length > 0).toBe(status === "findings");

    const outputs = join(mkdtempSync(join(tmpdir(), "relay-decide-")), "github-output");
    execFileSync("bash", ["-c", runScriptOf(renderedSecurityScan(), "image", "decide")], {
      cwd, stdio: "pipe",
      env: { ...process.env, RESULTS_FILE: "trivy-results.json", OUT_DIR: "relay-security-results/trivy-image", GITHUB_OUTPUT: outputs },
    });
    expect(readFileSync(join(cwd, "relay-security-results/trivy-image/status"), "utf8").trim()).toBe(status);
    expect(readFileSync(outputs, "utf8")).toContain(`status=${status}`);
  });
});

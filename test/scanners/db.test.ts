/**
 * The vulnerability database on its bad days (issue 18), with the real Trivy through the generated steps:
 * the gate step, the rescan and the daily job call our composite action (.github/actions/relay-security-db);
 * its steps are read out of the rendered action with the caller's inputs filled in (actionSteps), its
 * `run:` text and `env:` run as a runner would, and the scan step is replayed the way trivy-action runs it (TRIVY_* variables, cache-dir),
 * with the step's own `env:`. The registry is a local one (test/support/fake-registry.ts) that serves the
 * fixture database or answers 429 TOOMANYREQUESTS; "no network" is an empty network namespace.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderDbAction, renderGateStep, renderSecurityDb, renderSecurityScan, renderTrivyignore } from "../../src/render/index.js";
import { trivyActionRun } from "../../src/validate/trivy-args.js";
import { viewWith } from "../support/answers.js";
import { dbArtifact, startRegistry, type FakeRegistry } from "../support/fake-registry.js";
import { trivyFixtures, VULN, type TrivyFixtures } from "../support/scanner-fixtures.js";
import { actionSteps, expand, runRunStep, stepById, type Step } from "../support/steps.js";
import { requireTool } from "../support/tools.js";
import { vulnsOf } from "./helpers.js";

const trivy = requireTool("trivy");
const go = requireTool("go");

const HOUR = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();
/**
 * metadata.json as trivy-db writes it; `builtHoursAgo` sets UpdatedAt, the age the step reads. NextUpdate
 * is 4 h after the build, so even the 5-hour-old "fresh" copy is one Trivy itself would download again.
 */
const metadata = (builtHoursAgo: number) =>
  JSON.stringify({ Version: 2, NextUpdate: iso(Date.now() - (builtHoursAgo - 4) * HOUR), UpdatedAt: iso(Date.now() - builtHoursAgo * HOUR), DownloadedAt: iso(Date.now() - builtHoursAgo * HOUR) });

const gateSteps = (over: Record<string, unknown> = {}) => parse(renderGateStep(viewWith(over), "relay-fixture/openssl:latest")) as Step[];
const rescanSteps = (over: Record<string, unknown> = {}) =>
  (parse(renderSecurityScan(viewWith(over))) as { jobs: Record<string, { steps: Step[] }> }).jobs.image?.steps ?? [];
const dbJobSteps = (over: Record<string, unknown> = {}) =>
  (parse(renderSecurityDb(viewWith(over))) as { jobs: Record<string, { steps: Step[] }> }).jobs["trivy-db"]?.steps ?? [];

describe.skipIf(!trivy || !go)("the vulnerability database steps, with the real Trivy", () => {
  let fx: TrivyFixtures;
  let serving: FakeRegistry;
  let refusing: FakeRegistry;
  let bin: string;
  beforeAll(async () => {
    fx = trivyFixtures();
    const trivyDb = readFileSync(join(fx.cacheDir, "db", "trivy.db"));
    const artifact = dbArtifact({ "trivy.db": trivyDb, "metadata.json": metadata(1) });
    serving = await startRegistry(artifact, "serve");
    refusing = await startRegistry(artifact, "refuse");
    // The runner's PATH: trivy as setup-trivy leaves it, nothing else of ours.
    bin = mkdtempSync(join(tmpdir(), "relay-db-bin-"));
    symlinkSync(trivy ?? "", join(bin, "trivy"));
  });
  afterAll(async () => {
    await serving?.close();
    await refusing?.close();
  });

  /** A runner: RUNNER_TEMP, a workspace with our .trivyignore, and what actions/cache/restore left. */
  function runner(restored: "fresh" | "stale" | "none") {
    const runnerTemp = mkdtempSync(join(tmpdir(), "relay-db-runner-"));
    const cwd = join(runnerTemp, "work");
    mkdirSync(cwd);
    writeFileSync(join(cwd, ".trivyignore"), renderTrivyignore(viewWith()));
    const cacheDir = join(runnerTemp, "relay-security", "trivy");
    if (restored !== "none") {
      mkdirSync(join(cacheDir, "db"), { recursive: true });
      copyFileSync(join(fx.cacheDir, "db", "trivy.db"), join(cacheDir, "db", "trivy.db"));
      writeFileSync(join(cacheDir, "db", "metadata.json"), metadata(restored === "fresh" ? 5 : 72));
    }
    return { runnerTemp, cwd, cacheDir };
  }

  /** The retry delays are the only input the tests change (the generated 30 s and 90 s would make them slow). */
  const quick = { RETRY_DELAYS: "0 0" };

  const ACTION = "./.github/actions/relay-security-db";
  /** The caller's step that runs our action (the gate's `relay-security-db`, the rescan's `db`, the daily job's). */
  const caller = (steps: Step[]) => {
    // The rescan calls the copy its scripts checkout brings (.relay-security/, the workflow's commit).
    const found = steps.filter((s) => s.uses === ACTION || s.uses === `./.relay-security/${ACTION.slice(2)}`);
    if (found.length !== 1) throw new Error(`expected one step using ${ACTION}, found ${found.length}`);
    return found[0] as Step;
  };
  /** The action's steps for that caller, with the view the same set-up renders the action from. */
  const inAction = (steps: Step[], over: Record<string, unknown> = {}) => actionSteps(renderDbAction(viewWith(over)), caller(steps));
  const dbStep = (steps: Step[], over: Record<string, unknown> = {}) => stepById(inAction(steps, over), "db");
  const restoreStep = (steps: Step[]) => inAction(steps).find((s) => s.uses?.startsWith("actions/cache/restore@")) ?? {};
  const restorePath = (steps: Step[]) => String(restoreStep(steps).with?.path);

  /**
   * The scan step as trivy-action runs it: its inputs as TRIVY_* variables, cache-dir as TRIVY_CACHE_DIR,
   * the step's own env, `.trivyignore` concatenated; `--input` stands in for the Docker daemon and the
   * report is forced to JSON so the findings can be read. `env` replaces the step's env (the controls).
   */
  async function scan(step: Step, r: ReturnType<typeof runner>, opts: { env?: Record<string, string> } = {}) {
    const run = trivyActionRun(step.with ?? {});
    const stepEnv = opts.env ?? Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v, r.runnerTemp)]));
    writeFileSync(join(r.cwd, "trivyignores"), run.ignoreFiles.map((f) => readFileSync(join(r.cwd, f), "utf8")).join(""));
    const env = {
      PATH: `${bin}:/usr/bin:/bin`, HOME: join(r.runnerTemp, "home"),
      ...run.env, ...stepEnv,
      TRIVY_CACHE_DIR: expand(step.with?.["cache-dir"], r.runnerTemp),
      TRIVY_IGNOREFILE: "./trivyignores", TRIVY_FORMAT: "json", TRIVY_OUTPUT: "gate-report.json",
    };
    const res = await execa(trivy ?? "", [run.scanType, "--input", fx.images.openssl, "--skip-java-db-update", "--skip-version-check", "--disable-telemetry", "--cache-backend", "memory", run.scanRef], {
      cwd: r.cwd, env, extendEnv: false, reject: false, all: true,
    });
    const file = join(r.cwd, "gate-report.json");
    return { exitCode: res.exitCode, output: res.all ?? "", vulns: existsSync(file) && readFileSync(file, "utf8").trim() ? vulnsOf(JSON.parse(readFileSync(file, "utf8"))) : undefined };
  }

  it("the gate restores and reads the database outside the workspace (a committed .cache/trivy is never used)", () => {
    const steps = gateSteps();
    expect(caller(steps).id).toBe("relay-security-db");
    expect(restorePath(steps)).toBe("${{ runner.temp }}/relay-security/trivy/db");
    expect(dbStep(steps).env?.CACHE_DIR).toBe("${{ runner.temp }}/relay-security/trivy");
    expect(stepById(steps, "relay-security-scan").with).toMatchObject({ "cache-dir": "${{ runner.temp }}/relay-security/trivy", cache: false, "skip-setup-trivy": true });
    // The daily job saves exactly the path the gate and the rescan restore (actions/cache matches on paths).
    const save = dbJobSteps().find((s) => s.uses?.startsWith("actions/cache/save@"));
    expect(save?.with?.path).toBe(restorePath(steps));
    expect(restorePath(rescanSteps())).toBe(restorePath(steps));
    expect(String(save?.with?.key)).toMatch(/^relay-security-trivy-db-/);
    expect(restoreStep(steps).with?.["restore-keys"]).toBe("relay-security-trivy-db-");
    // The gate and the rescan restore; the daily job (refresh) does not.
    expect(restoreStep(steps).if).toBe("inputs.refresh != 'true'");
    expect([caller(steps).with?.refresh, caller(rescanSteps()).with?.refresh, caller(dbJobSteps()).with?.refresh]).toEqual([undefined, undefined, "true"]);
  });

  it("warm cache (built 5 h ago): no request to the registry, and the scan finds the fixture CRITICAL without downloading", async () => {
    const r = runner("fresh");
    const steps = gateSteps({ dbRepository: refusing.repository });
    const before = refusing.requests.length;
    const db = await runRunStep(dbStep(steps, { dbRepository: refusing.repository }), { ...r, bin, over: quick });
    expect(db.exitCode, db.output).toBe(0);
    expect(db.outputs.status).toBe("cached");
    expect(refusing.requests.length).toBe(before);
    // The restored copy's NextUpdate has passed: only the step's TRIVY_SKIP_DB_UPDATE keeps Trivy from downloading.
    const s = await scan(stepById(steps, "relay-security-scan"), r);
    expect([s.exitCode, s.vulns], s.output).toEqual([1, [`${VULN.openssl} libcrypto3`]]);
    expect(refusing.requests.length).toBe(before);
    // Control: without the step's env Trivy goes to the registry for a new database, and fails there.
    const control = await scan(stepById(steps, "relay-security-scan"), r, { env: { TRIVY_DB_REPOSITORY: refusing.repository } });
    expect(control.exitCode).toBe(1);
    expect(control.output).toMatch(/TOOMANYREQUESTS/);
    expect(refusing.requests.length).toBeGreaterThan(before);
  });

  it.each([["stale (built 72 h ago)", "stale"], ["not restored (no cache)", "none"]] as const)("%s: downloads once, then scans", async (_name, restored) => {
    const r = runner(restored);
    const steps = gateSteps({ dbRepository: serving.repository });
    const before = serving.requests.filter((q) => q.includes("/blobs/")).length;
    const db = await runRunStep(dbStep(steps, { dbRepository: serving.repository }), { ...r, bin, over: quick });
    expect(db.exitCode, db.output).toBe(0);
    expect(db.outputs.status).toBe("downloaded");
    expect(serving.requests.filter((q) => q.includes("/blobs/")).length).toBeGreaterThan(before);
    const meta = JSON.parse(readFileSync(join(r.cacheDir, "db", "metadata.json"), "utf8")) as { UpdatedAt: string; DownloadedAt: string };
    expect(Date.now() - Date.parse(meta.UpdatedAt)).toBeLessThan(2 * HOUR); // the served copy, not the stale one
    expect(Date.now() - Date.parse(meta.DownloadedAt)).toBeLessThan(HOUR);
    const s = await scan(stepById(steps, "relay-security-scan"), r);
    expect([s.exitCode, s.vulns], s.output).toEqual([1, [`${VULN.openssl} libcrypto3`]]);
  });

  it.each([["no cache", "none"], ["a stale cache", "stale"]] as const)("registry answering 429 with %s: three attempts, the step fails and says it is not a finding", async (_name, restored) => {
    const r = runner(restored);
    const steps = gateSteps({ dbRepository: refusing.repository });
    const db = await runRunStep(dbStep(steps, { dbRepository: refusing.repository }), { ...r, bin, over: quick });
    expect(db.exitCode).toBe(1);
    expect(db.output).toMatch(/TOOMANYREQUESTS/);
    expect(db.output.match(/^Attempt \d failed with a temporary error/gm)).toHaveLength(3);
    expect(db.output).toContain("Attempt 3 failed with a temporary error; no retries left.");
    expect(db.outputs.status).toBeUndefined();
    // The scan step keeps the default `if: success()`, so it is skipped; the action itself said why.
    expect(stepById(steps, "relay-security-scan").if).toBeUndefined();
    expect(db.output).toMatch(/^::error title=Vulnerability scan did not run::the scan did not run: the vulnerability database could not be downloaded; this is not a finding\. Re-run the job later; this step's log shows the server's answer\.$/m);
    // No step of ours after the scan any more: the annotation came from the failing step.
    expect(steps.map((s) => s.id)).toEqual(["relay-security-db", "relay-security-scan"]);
  });

  it("a permanent answer (unknown repository) is not retried", async () => {
    const r = runner("none");
    const repo = serving.repository.replace("aquasec/trivy-db", "nobody/none");
    const db = await runRunStep(dbStep(gateSteps({ dbRepository: repo }), { dbRepository: repo }), { ...r, bin, over: quick });
    expect(db.exitCode).toBe(1);
    expect(db.output).toContain("Attempt 1 failed with an answer that is not temporary: not retried.");
    expect(db.output).toContain("::error title=Vulnerability scan did not run::");
  });

  it("no network and Trivy's default repositories: retried, then the step fails", async () => {
    const r = runner("none");
    const steps = gateSteps();
    expect(dbStep(steps).env?.DB_REPOSITORY).toBe("");
    const db = await runRunStep(dbStep(steps), { ...r, bin, over: quick, noNetwork: true });
    expect(db.exitCode).toBe(1);
    expect(db.output).toMatch(/mirror\.gcr\.io|ghcr\.io/);
    expect(db.output).toContain("no retries left");
  });

  it("no network with a warm cache: the gate still scans", async () => {
    const r = runner("fresh");
    const steps = gateSteps();
    const db = await runRunStep(dbStep(steps), { ...r, bin, over: quick, noNetwork: true });
    expect([db.exitCode, db.outputs.status], db.output).toEqual([0, "cached"]);
    const s = await scan(stepById(steps, "relay-security-scan"), r);
    expect(s.vulns).toEqual([`${VULN.openssl} libcrypto3`]);
  });

  it("a committed .cache/trivy/db claiming a future update is not read: the step downloads into RUNNER_TEMP", async () => {
    const r = runner("none");
    mkdirSync(join(r.cwd, ".cache", "trivy", "db"), { recursive: true });
    writeFileSync(join(r.cwd, ".cache", "trivy", "db", "trivy.db"), "planted");
    writeFileSync(join(r.cwd, ".cache", "trivy", "db", "metadata.json"), JSON.stringify({ Version: 2, NextUpdate: "2099-01-01T00:00:00Z", UpdatedAt: iso(Date.now()), DownloadedAt: iso(Date.now()) }));
    const db = await runRunStep(dbStep(gateSteps({ dbRepository: serving.repository }), { dbRepository: serving.repository }), { ...r, bin, over: quick });
    expect([db.exitCode, db.outputs.status], db.output).toEqual([0, "downloaded"]);
    expect(existsSync(join(r.cacheDir, "db", "trivy.db"))).toBe(true);
  });

  it("the rescan runs the same database step, and says so when it fails", async () => {
    const gate = dbStep(gateSteps());
    expect(caller(rescanSteps()).id).toBe("db");
    const rescan = dbStep(rescanSteps());
    expect(rescan.run).toBe(gate.run);
    // The same inputs but the end of the annotation: what to do next differs.
    const { WHEN_FAILED: w1, ...rescanEnv } = rescan.env ?? {};
    const { WHEN_FAILED: w2, ...gateEnv } = gate.env ?? {};
    expect(rescanEnv).toEqual(gateEnv);
    expect([w1, w2]).toEqual(["No issue is filed or closed; the next scheduled run tries again.", "Re-run the job later; this step's log shows the server's answer."]);
    const scanStep = rescanSteps().find((s) => s.uses?.startsWith("aquasecurity/trivy-action@") && s.with?.format === "json");
    expect(scanStep?.env).toEqual({ TRIVY_SKIP_DB_UPDATE: "true" });
    expect(scanStep?.with?.["cache-dir"]).toBe("${{ runner.temp }}/relay-security/trivy");
    const r = runner("none");
    const said = await runRunStep(dbStep(rescanSteps({ dbRepository: refusing.repository }), { dbRepository: refusing.repository }), { ...r, bin, over: quick });
    expect(said.exitCode).toBe(1);
    expect(said.output).toMatch(/^::error title=Vulnerability scan did not run::the scan did not run: the vulnerability database could not be downloaded; this is not a finding\. No issue is filed or closed; the next scheduled run tries again\.$/m);
    expect(rescanSteps().some((s) => /did not run/.test(s.name ?? ""))).toBe(false);
  });

  it("the daily job downloads even over a fresh copy, into the path it saves", async () => {
    const r = runner("fresh");
    const steps = dbJobSteps({ dbRepository: serving.repository });
    const download = dbStep(steps, { dbRepository: serving.repository });
    expect([download.env?.REFRESH, download.env?.RETRY_DELAYS]).toEqual(["true", "60 300"]);
    const db = await runRunStep(download, { ...r, bin, over: quick });
    expect([db.exitCode, db.outputs.status], db.output).toEqual([0, "downloaded"]);
    const save = steps.find((s) => s.uses?.startsWith("actions/cache/save@"));
    expect(existsSync(join(expand(save?.with?.path, r.runnerTemp), "trivy.db"))).toBe(true);
    expect(dirname(expand(save?.with?.path, r.runnerTemp))).toBe(expand(download.env?.CACHE_DIR, r.runnerTemp));
  });
});

describe("security-db.yml", () => {
  const wf = parse(renderSecurityDb(viewWith())) as { on: Record<string, unknown>; permissions: unknown; jobs: Record<string, { if?: string; permissions?: unknown; steps: Step[] }> };
  it("runs daily (off the hour) and by hand, saves only on the default branch, reads only our action's folder", () => {
    expect(Object.keys(wf.on)).toEqual(["schedule", "workflow_dispatch"]);
    const cron = (wf.on.schedule as { cron: string }[])[0]?.cron ?? "";
    expect(cron).toMatch(/^([1-9]|[1-5][0-9]) [1-4] \* \* \*$/);
    const job = wf.jobs["trivy-db"];
    expect(job?.if).toBe("github.event_name == 'schedule' || github.ref_name == github.event.repository.default_branch");
    // contents: read to check out our action (a local action runs only from a checkout), and no token kept.
    expect(job?.permissions).toEqual({ contents: "read" });
    expect(job?.steps.map((s) => s.uses?.split("@")[0] ?? "run")).toEqual(["actions/checkout", "./.github/actions/relay-security-db", "actions/cache/save"]);
    expect(job?.steps[0]?.with).toEqual({ "sparse-checkout": ".github/actions/relay-security-db", "persist-credentials": false });
  });
});

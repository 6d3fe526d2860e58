/** Running the real Trivy the way trivy-action runs it, on the fixture DB and image archives. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { parse } from "yaml";
import { renderGateStep, renderTrivyignore } from "../../src/render/index.js";
import { trivyActionRun } from "../../src/validate/trivy-args.js";
import { renderedSecurityScan } from "../support/workflow.js";
import { viewWith } from "../support/answers.js";

type Step = { id?: string; name?: string; uses?: string; with?: Record<string, unknown> };

/** The `with:` of the PR gate step exactly as we render it for a user. */
export function renderedGateWith(over: Record<string, unknown> = {}): Record<string, unknown> {
  const view = viewWith(over);
  const steps = parse(renderGateStep(view, view.prImageRef)) as Step[];
  const gate = steps.find((s) => s.uses?.startsWith("aquasecurity/trivy-action@"));
  if (!gate?.with) throw new Error("the rendered gate step has no trivy-action with:");
  return gate.with;
}

/** A workspace as a user's checkout has it: our rendered `.trivyignore`, plus `entries` appended. */
export function workspace(entries = ""): string {
  const dir = mkdtempSync(join(tmpdir(), "relay-gate-"));
  writeFileSync(join(dir, ".trivyignore"), renderTrivyignore(viewWith()) + entries);
  return dir;
}

/** The `with:` of the scheduled rescan's Trivy step (job `image`, the step before `decide`). */
export function renderedRescanWith(): Record<string, unknown> {
  const wf = parse(renderedSecurityScan()) as { jobs: Record<string, { steps: Step[] }> };
  const steps = wf.jobs.image?.steps ?? [];
  const decide = steps.findIndex((s) => s.id === "decide");
  const scan = steps.slice(0, decide).reverse().find((s) => s.uses?.startsWith("aquasecurity/trivy-action@"));
  if (!scan?.with) throw new Error("no trivy-action step before decide in job image");
  return scan.with;
}

/**
 * Only what keeps Trivy off the network and away from shared state: the DB is the fixture
 * (`--skip-db-update` with Version 2 metadata), no Java DB, no version check or telemetry, an
 * in-memory layer cache (no lock waits between parallel tests).
 */
export const offlineFlags = (cacheDir: string) => [
  "--skip-db-update", "--skip-java-db-update", "--offline-scan", "--skip-version-check", "--disable-telemetry",
  "--cache-dir", cacheDir, "--cache-backend", "memory",
];

export interface GateRun {
  exitCode: number;
  stderr: string;
  /** Vulnerabilities left in the JSON report, as `ID pkg`. */
  vulns: string[];
  report: unknown;
}

/** An environment without the caller's TRIVY_* variables, so nothing but the step's inputs sets policy. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("TRIVY_")) env[k] = v;
  return { ...env, ...extra };
}

/**
 * Run `trivy` as trivy-action does for this `with:` (TRIVY_* variables, `trivyignores` concatenated into
 * ./trivyignores, then `trivy image <image-ref>`) in `cwd` (the workspace), with `--input <archive>`
 * standing in for the Docker daemon and the offline flags. The output format is forced to JSON in
 * `<cwd>/gate-report.json` when the step writes none, so the exit code and the findings come from one run.
 */
export async function runTrivyStep(
  trivy: string,
  withInputs: Record<string, unknown>,
  opts: { cwd?: string; archive: string; cacheDir: string; env?: Record<string, string> },
): Promise<GateRun> {
  const cwd = opts.cwd ?? workspace();
  const run = trivyActionRun(withInputs);
  // The step's own `env:` (e.g. TRIVY_VEX) reaches Trivy too; the action's exports from inputs win.
  const env: Record<string, string> = { ...opts.env, ...run.env };
  if (run.ignoreMode === "concatenate") {
    writeFileSync(join(cwd, "trivyignores"), run.ignoreFiles.map((f) => readFileSync(join(cwd, f), "utf8")).join(""));
    env.TRIVY_IGNOREFILE = "./trivyignores";
  }
  // A single .trivyignore.yaml is handed to Trivy as it is.
  if (run.ignoreMode === "yaml") env.TRIVY_IGNOREFILE = run.ignoreFiles[0] as string;
  if (!env.TRIVY_FORMAT) Object.assign(env, { TRIVY_FORMAT: "json", TRIVY_OUTPUT: "gate-report.json" });
  const r = await execa(trivy, [run.scanType, ...offlineFlags(opts.cacheDir), "--input", opts.archive, run.scanRef], {
    cwd, env: cleanEnv(env), extendEnv: false, reject: false,
  });
  let report: unknown;
  try {
    report = JSON.parse(readFileSync(join(cwd, env.TRIVY_OUTPUT ?? "gate-report.json"), "utf8"));
  } catch {
    throw new Error(`trivy wrote no JSON report (exit ${r.exitCode}):\n${r.stderr}`);
  }
  return { exitCode: r.exitCode ?? -1, stderr: r.stderr, vulns: vulnsOf(report), report };
}

export function vulnsOf(report: unknown): string[] {
  const results = (report as { Results?: { Vulnerabilities?: { VulnerabilityID: string; PkgName: string }[] }[] }).Results ?? [];
  return results.flatMap((r) => (r.Vulnerabilities ?? []).map((v) => `${v.VulnerabilityID} ${v.PkgName}`)).sort();
}

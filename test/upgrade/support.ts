import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { resolveAnswers } from "../../src/answers/index.js";
import type { RawAnswers } from "../../src/answers/resolve.js";
import type { Deps } from "../../src/deps.js";
import { detect } from "../../src/detect/index.js";
import { loadPins, type PinsData } from "../../src/pins.js";
import { applyPlan } from "../../src/apply/index.js";
import { buildPlan, type Plan } from "../../src/plan/index.js";
import { parseState } from "../../src/state/index.js";
import { PATHS } from "../../src/render/index.js";
import { runInit, type InitOptions } from "../../src/run.js";
import { VERSION } from "../../src/version.js";
import { scriptedDeps } from "../support/deps.js";
import { git } from "../support/repo.js";
import { initOptions } from "../support/deps.js";

export const OLD_VERSION = "0.0.9";

/**
 * The pins of the "previous release". trivy-action v0.35.0 is a real older pin (data/pins.json,
 * knownCompromised.trivyActionRecentTags: verified, clean); the Trivy version is v0.35.0's default. The
 * checkout pin is made up for the test (tag v6.9.9): it only ever lives in these temp repositories.
 */
export function oldPins(): PinsData {
  const pins = structuredClone(loadPins());
  const trivy035 = pins.knownCompromised.trivyActionRecentTags["v0.35.0"];
  if (!trivy035?.defaultTrivy) throw new Error("data/pins.json lost trivy-action v0.35.0");
  pins.actions["aquasecurity/trivy-action"] = { tag: "v0.35.0", sha: trivy035.sha };
  pins.tools.trivy.version = trivy035.defaultTrivy;
  pins.actions["actions/checkout"] = { tag: "v6.9.9", sha: "6".repeat(40) };
  return pins;
}

/**
 * Textual template changes between the previous release and this one, applied to what the previous
 * release rendered (as if its templates said these things). Each names a line that exists today.
 */
export const OLD_TEMPLATE: Record<string, [string, string][]> = {
  [PATHS.securityScan]: [
    [`create-relay-security ${VERSION}`, `create-relay-security ${OLD_VERSION}`],
    ["          retention-days: 7\n", "          retention-days: 5\n"],
  ],
  [PATHS.trivyignore]: [["# Example (inactive):\n", "# For example (commented out, so inactive):\n"]],
  [PATHS.ci]: [["to update it; accept a risk in\n", "to update it; accept risks in\n"]],
  [PATHS.renovate]: [['      "minimumReleaseAge": "7 days",\n      "minimumReleaseAgeBehaviour"', '      "minimumReleaseAge": "3 days",\n      "minimumReleaseAgeBehaviour"']],
};

export function oldTemplate(path: string, text: string): string {
  let out = text;
  for (const [now, then] of OLD_TEMPLATE[path] ?? []) {
    if (!out.includes(now)) throw new Error(`${path}: the template no longer has ${JSON.stringify(now)}; update OLD_TEMPLATE`);
    out = out.split(now).join(then);
  }
  return out;
}

/** Deps for in-process runs: no prompts; Trivy's dry-run preview is left out (it is not what these tests are about). */
export function quietDeps(): Deps {
  const { deps } = scriptedDeps([]);
  const exec = deps.exec;
  return { ...deps, exec: (file, args, opts) => (file === "trivy" ? Promise.resolve({ exitCode: -1, stdout: "", stderr: "", failed: "left out in tests" }) : exec(file, args, opts)) };
}

/**
 * Set `dir` up as the previous release would have: its render (old pins, old template text), written
 * with a state file of version OLD_VERSION holding that render, then committed. Returns what it wrote.
 */
export async function setupPreviousRelease(dir: string, flags: RawAnswers = {}, opts: { commit?: boolean } = {}): Promise<Map<string, string>> {
  const deps = quietDeps();
  const detected = await detect(dir, deps);
  const answers = await resolveAnswers(detected, undefined, { flags, mode: "yes" }, deps);
  const plan = buildPlan(detected, answers, undefined, { restore: false, onConflict: "markers", pins: oldPins() });
  const written = new Map<string, string>();
  for (const c of plan.changes) {
    if (c.after === undefined || c.path === PATHS.state || c.action === "unchanged") continue;
    written.set(c.path, oldTemplate(c.path, c.after));
  }
  const stateChange = plan.changes.find((c) => c.path === PATHS.state);
  const state = JSON.parse(stateChange?.after ?? "{}") as { version: string; files: Record<string, { generated: string }> };
  state.version = OLD_VERSION;
  for (const [path, record] of Object.entries(state.files)) record.generated = oldTemplate(path, record.generated);
  written.set(PATHS.state, `${JSON.stringify(state, null, 2)}\n`);
  for (const [path, text] of written) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  if (opts.commit !== false) commitAll(dir, "relay-security 0.0.9");
  return written;
}

export function commitAll(dir: string, message = "edit"): void {
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "--allow-empty", "-m", message);
}

export const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");
export const write = (dir: string, path: string, text: string) => writeFileSync(join(dir, path), text);

export { initOptions };

/** Upgrade in process with `--yes` (and whatever else `over` says). */
export const upgrade = (dir: string, over: Partial<InitOptions> = {}) => runInit(initOptions(dir, over), quietDeps());

/** Replace exactly one occurrence of `from` (the test's edit must land where it says). */
export function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`expected exactly one ${JSON.stringify(from)}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/**
 * The upgrade's plan-and-write stages alone (runInit without the validators and the dirty check), for
 * the property runs: detect, answers (flags over the recorded ones), plan, apply.
 */
export async function planAndApply(dir: string, flags: RawAnswers): Promise<Plan> {
  const deps = quietDeps();
  const detected = await detect(dir, deps);
  const state = parseState(PATHS.state, read(dir, PATHS.state));
  const answers = await resolveAnswers(detected, state, { flags, mode: "yes" }, deps);
  const plan = buildPlan(detected, answers, state, { restore: false, onConflict: "markers" });
  applyPlan(dir, plan.changes);
  return plan;
}

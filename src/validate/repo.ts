import { existsSync } from "node:fs";
import { isolatedScanStep } from "../gate/isolate.js";
import { dirname, join } from "node:path";
import { listRepoDir, readRepoText, readRepoTextForAnalysis } from "../fsguard.js";
import type { Answers } from "../answers/schema.js";
import type { Deps } from "../deps.js";
import { loadPins } from "../pins.js";
import type { Plan } from "../plan/index.js";
import type { Finding } from "../types.js";
import { parseDockerfile } from "../detect/dockerfile.js";
import { findCiBuild } from "../gate/index.js";
import { isRecord, jobsOf, ourStepData, parseWorkflow, stepsOf } from "../gate/locate.js";
import { buildArgsFor } from "../plan/image-build.js";
import { findActionlintConfig, runActionlint } from "./actionlint.js";
import { boundedExec, rememberProbes } from "./at-once.js";
import { GOVULNCHECK_IGNORE, lintGovulncheckIgnore } from "./govulncheckignore.js";
import { lintGrypeIgnore } from "./grype-ignore.js";
import { dryRunTrivy } from "./trivy.js";
import { lintParse } from "./parse.js";
import { lintScanningPage } from "./docs-page.js";
import { assignOwners, scannerFilesFor, type Ownership } from "./scope.js";
import { PATHS } from "../render/index.js";
import { ALL_SCAN_SCRIPTS, SCRIPTS_DIR } from "../render/scripts.js";
import { shellcheckScripts } from "./shellcheck.js";
import { parseState, type State } from "../state/index.js";
import { lintPins } from "./pins.js";
import { lintGrypeConfig, lintTrivyConfig } from "./scanner-config.js";
import { lintTrivyignore } from "./trivyignore.js";
import { lintTrivyignoreYaml } from "./trivyignore-yaml.js";

export interface ValidateContext {
  plan?: Plan;
  answers?: Answers;
  /** Files written by this run (validated from disk); with a dry run, the plan's texts are validated instead. */
  written: string[];
  deps: Deps;
  /**
   * "plan" (default): what this run wrote or would write. "repo": what the state says we own, the
   * workflow carrying our step, the ignore files and updater configs (every workflow with `allWorkflows`,
   * or when there is no state to say what is ours).
   */
  scope?: "plan" | "repo";
  /** `--all-workflows`: validate every workflow and count every finding, the user's own lines included. */
  allWorkflows?: boolean;
  /**
   * `validate` online: also `pin --check` against the actions' repositories (issue 14). Offline, the pin
   * lint has already checked what data/pins.json knows; an unpinned tag is that lint's finding.
   */
  pinCheck?: boolean;
  /** The state on disk (repo scope); a plan brings the state it writes. */
  state?: State;
  imageArchive?: string;
  offline?: boolean;
}

const isWorkflow = (path: string) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path);

/** Every file `validate` looks at in a repository: workflows (those `keep` says), the scanner's files, updater configs, our state. */
function repoFiles(dir: string, keep: (workflow: string) => boolean, ctx: ValidateContext): { texts: Map<string, string>; left: string[] } {
  const texts = new Map<string, string>();
  const all = listRepoDir(dir, ".github/workflows").filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => `.github/workflows/${f}`);
  const left = all.filter((p) => !keep(p));
  for (const rel of [...all.filter(keep), ...scannerFilesFor(ctx.answers?.scanner), "renovate.json", ".github/dependabot.yml", ".github/dependabot.yaml", ".github/relay-security.json", "docs/security-scanning.md", PATHS.dbAction, ...ALL_SCAN_SCRIPTS]) {
    const text = readRepoText(dir, rel);
    if (text !== undefined) texts.set(rel, text);
  }
  return { texts, left };
}

/** What relay-security owns, from the state on disk or, for a run, from the state its plan writes. */
function ownership(ctx: ValidateContext): Ownership | undefined {
  const planned = ctx.plan?.changes.find((c) => c.path === PATHS.state)?.after;
  const state = planned !== undefined ? parseState(PATHS.state, planned) : ctx.state;
  if (!state) return undefined;
  return { owned: new Set([...Object.keys(state.files), PATHS.state]), ...(state.gate ? { gate: { file: state.gate.file, edits: state.gate.edits } } : {}) };
}

/** What this run wrote (from disk) or, for a dry run, would write (from the plan). */
function planFiles(dir: string, ctx: ValidateContext): Map<string, string> {
  const texts = new Map<string, string>();
  for (const c of ctx.plan?.changes ?? []) {
    if (c.action === "skip" || c.action === "conflict" || c.action === "delete") continue;
    const text = ctx.written.includes(c.path) || c.after === undefined ? readRepoText(dir, c.path) : c.after;
    if (text !== undefined) texts.set(c.path, text);
  }
  for (const ignore of scannerFilesFor(ctx.answers?.scanner)) {
    const text = texts.has(ignore) ? undefined : readRepoText(dir, ignore);
    if (text !== undefined) texts.set(ignore, text);
  }
  return texts;
}

/**
 * The validators over a set of files: parse, pins, the ignore-file rule, and actionlint on every
 * workflow (from disk when it was written; from a temp copy of the plan's text for a dry run).
 */
export async function validateRepo(dir: string, ctx: ValidateContext): Promise<Finding[]> {
  const own = ctx.allWorkflows ? undefined : ownership(ctx);
  const ours = (p: string) => !own || own.owned.has(p) || own.gate?.file === p;
  const repo = ctx.scope === "repo" ? repoFiles(dir, ours, ctx) : undefined;
  const texts = repo?.texts ?? planFiles(dir, ctx);
  const now = ctx.deps.now();
  const findings: Finding[] = [];
  if (repo?.left.length) {
    findings.push({
      file: repo.left.join(", "),
      rule: "scope",
      severity: "info",
      message: `${repo.left.length} workflow(s) relay-security neither wrote nor edited were not validated`,
      hint: "--all-workflows validates every workflow and counts its findings",
    });
  }
  for (const [path, text] of texts) {
    findings.push(...lintParse(path, text));
    if (path === ".trivyignore") findings.push(...lintTrivyignore(path, text, now));
    if (path === ".trivyignore.yaml") findings.push(...lintTrivyignoreYaml(path, text, now));
    if (path === ".grype.yaml") findings.push(...lintGrypeIgnore(path, text, now), ...lintGrypeConfig(path, text));
    if (path === GOVULNCHECK_IGNORE) findings.push(...lintGovulncheckIgnore(path, text, now));
    if (path === "docs/security-scanning.md") findings.push(...lintScanningPage(path, text, (rel) => texts.has(rel) || existsSync(join(dir, rel))));
    // Config the scanners load by themselves (issue 13, item 3); trivy.yaml matters only to a Trivy gate.
    if (path === "trivy.yaml") findings.push(...lintTrivyConfig(path, text, ourTrivySteps(texts)));
  }
  const workflows = [...texts].filter(([p]) => isWorkflow(p)).map(([path, text]) => ({ path, text }));
  // Our composite action: its pins are checked like a workflow's; actionlint reads it for the inputs
  // the workflows pass it (it lints no action file itself).
  const action = texts.has(PATHS.dbAction) ? [{ path: PATHS.dbAction, text: texts.get(PATHS.dbAction) as string }] : [];
  findings.push(...lintPins([...workflows, ...action], loadPins()));
  // actionlint, shellcheck and the Trivy preview side by side (at most max(2, cores) tools at once); findings in this order.
  // A tool's version is asked once (actionlint's runner and the scripts' check both probe shellcheck).
  const tools = { ...ctx, deps: { ...ctx.deps, exec: boundedExec(rememberProbes(ctx.deps.exec)) } };
  const scripts = [...texts].filter(([p]) => p.startsWith(`${SCRIPTS_DIR}/`) && p.endsWith(".sh")).map(([path, text]) => ({ path, text }));
  // The preview asks first: its `trivy config` is the longest tool run, so it takes a slot before the
  // short runs queue (issue 19: a set-up's wall time is that run's).
  const [preview, lint, shell] = await Promise.all([
    previewGate(dir, workflows, tools),
    actionlintOn(dir, workflows, tools, action),
    shellcheckScripts(scripts, { cwd: dir, exec: tools.deps.exec }),
  ]);
  findings.push(...lint, ...shell, ...preview);
  if (ctx.pinCheck) {
    const { runPin } = await import("../pin/index.js");
    const pinned = await runPin({ dir, check: true, dryRun: true, offline: false, update: false, minAgeDays: 0, skipBroken: true }, ctx.deps);
    findings.push(...pinned.findings.filter((f) => f.rule !== "pin/unpinned" && texts.has(f.file)));
  }
  return own ? assignOwners(findings, own, texts) : findings;
}

/**
 * The `with:` of each trivy-action step of ours that reads ./trivy.yaml: the gate's (none when the user's
 * own step gates, gogs') and the rescan's image scan, for what they settle themselves.
 */
function ourTrivySteps(texts: Map<string, string>): Record<string, unknown>[] {
  const gate = gateInputs([...texts].filter(([p]) => isWorkflow(p)).map(([path, text]) => ({ path, text })));
  const rescan = texts.get(PATHS.securityScan);
  const data = rescan === undefined ? undefined : parseWorkflow(PATHS.securityScan, rescan);
  const rescanSteps = data && !data.error ? jobsOf(data).flatMap(([, job]) => stepsOf(job)).filter((s) => typeof s["uses"] === "string" && s["uses"].startsWith("aquasecurity/trivy-action@") && isRecord(s["with"])).map((s) => s["with"] as Record<string, unknown>) : [];
  return [...(gate?.uses === "aquasecurity/trivy-action" ? [gate.with] : []), ...rescanSteps];
}

/** The action and `with:` of our gate step (`id: relay-security-scan`) in the first workflow that has one. */
function gateInputs(workflows: { path: string; text: string }[]): { uses: string; with: Record<string, unknown> } | undefined {
  for (const w of workflows) {
    // --isolated-scan: our step in the build job uploads the image; the policy is in our scan job's step.
    const step = isolatedScanStep(w.path, w.text) ?? ourStepData(w.path, w.text);
    const inputs = step?.["with"];
    if (typeof step?.["uses"] === "string" && inputs && typeof inputs === "object") {
      return { uses: step["uses"].split("@")[0] ?? "", with: inputs as Record<string, unknown> };
    }
  }
  return undefined;
}

/**
 * The dry-run Trivy scan with the gate's exact policy. A set-up never downloads a vulnerability database
 * (it previews with the one Trivy already cached, or says how to get one); `validate` downloads unless
 * --offline.
 */
async function previewGate(dir: string, workflows: { path: string; text: string }[], ctx: ValidateContext): Promise<Finding[]> {
  // A dry run previews nothing: the gate reads files (.trivyignore) that only the real run writes.
  if (ctx.scope !== "repo" && ctx.written.length === 0) return [];
  const found = gateInputs(workflows);
  if (!found) return [];
  if (found.uses !== "aquasecurity/trivy-action") {
    return [{
      file: workflows.map((w) => w.path).join(", "),
      rule: "gate-preview",
      severity: "skipped",
      message: `the dry-run preview runs Trivy only; the gate uses ${found.uses}, so it was not previewed`,
      hint: "grype <image> --only-fixed --fail-on <cutoff> --config .grype.yaml shows what the gate would fail on",
    }];
  }
  const gate = found.with;
  const dockerfile = ctx.answers?.dockerfile;
  const dockerText = dockerfile ? readRepoTextForAnalysis(dir, dockerfile) : undefined;
  return dryRunTrivy({
    dir,
    gate,
    imageArchive: ctx.imageArchive,
    offline: ctx.scope === "repo" ? Boolean(ctx.offline) : true,
    dockerfile: dockerText === undefined ? undefined : dockerfile,
    // The base image CI builds on: `ARG BASE=placeholder` + CI's `--build-arg BASE=...` (issue 20.4).
    finalBaseImage: dockerText === undefined || !dockerfile ? undefined : parseDockerfile(dockerfile, dockerText, ciBuildArgs(dir, dockerfile, workflows, ctx)).finalBaseImage,
    exec: ctx.deps.exec,
  });
}

/**
 * The build args the image is built with, as the plan computes them: the CI build of the Dockerfile
 * (found in every workflow on disk, not only the ones validated), under the answers' `--build-arg`.
 */
function ciBuildArgs(dir: string, dockerfile: string, validated: { path: string; text: string }[], ctx: ValidateContext): Record<string, string> {
  const texts = new Map(validated.map((w) => [w.path, w.text]));
  for (const f of listRepoDir(dir, ".github/workflows").filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const rel = `.github/workflows/${f}`;
    if (texts.has(rel)) continue;
    try {
      const text = readRepoText(dir, rel);
      if (text !== undefined) texts.set(rel, text);
    } catch {
      // A workflow that is not UTF-8 (or not readable through the guard) is left out, as the plan leaves it out.
    }
  }
  const workflows = [...texts].map(([path, text]) => ({ path, text }));
  const ci = findCiBuild({ workflows, dockerfile, readFile: (rel) => readRepoTextForAnalysis(dir, rel) });
  return buildArgsFor(ctx.answers ?? {}, ci);
}

async function actionlintOn(dir: string, workflows: { path: string; text: string }[], ctx: ValidateContext, actions: { path: string; text: string }[] = []): Promise<Finding[]> {
  const onDisk = [...workflows, ...actions].every((w) => readRepoText(dir, w.path) === w.text);
  // The user's config (self-hosted runner labels, config variables, ignores) on every path (issue 20).
  const config = findActionlintConfig(dir);
  if (onDisk) return runActionlint(workflows.map((w) => w.path), { cwd: dir, exec: ctx.deps.exec, config });
  // A dry run: lint the planned text in a scratch copy, reported under the real paths.
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const scratch = mkdtempSync(join(tmpdir(), "relay-security-lint-"));
  try {
    mkdirSync(join(scratch, ".github", "workflows"), { recursive: true });
    for (const w of workflows) writeFileSync(join(scratch, w.path), w.text);
    for (const a of actions) {
      mkdirSync(join(scratch, dirname(a.path)), { recursive: true });
      writeFileSync(join(scratch, a.path), a.text);
    }
    return await runActionlint(workflows.map((w) => w.path), { cwd: scratch, exec: ctx.deps.exec, config });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

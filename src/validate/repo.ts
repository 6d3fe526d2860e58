import { isolatedScanStep } from "../gate/isolate.js";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Answers } from "../answers/schema.js";
import type { Deps } from "../deps.js";
import { loadPins } from "../pins.js";
import type { Plan } from "../plan/index.js";
import type { Finding } from "../types.js";
import { parseDockerfile } from "../detect/dockerfile.js";
import { ourStepData } from "../gate/locate.js";
import { runActionlint } from "./actionlint.js";
import { GOVULNCHECK_IGNORE, lintGovulncheckIgnore } from "./govulncheckignore.js";
import { lintGrypeIgnore } from "./grype-ignore.js";
import { dryRunTrivy } from "./trivy.js";
import { lintParse } from "./parse.js";
import { lintPins } from "./pins.js";
import { lintTrivyignore } from "./trivyignore.js";
import { lintTrivyignoreYaml } from "./trivyignore-yaml.js";

export interface ValidateContext {
  plan?: Plan;
  answers?: Answers;
  /** Files written by this run (validated from disk); with a dry run, the plan's texts are validated instead. */
  written: string[];
  deps: Deps;
  /** "plan" (default): what this run wrote or would write. "repo": every workflow and config in the repository. */
  scope?: "plan" | "repo";
  imageArchive?: string;
  offline?: boolean;
}

const isWorkflow = (path: string) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path);

/** Every file `validate` looks at in a repository: workflows, ignore files, updater configs, our state. */
function repoFiles(dir: string): Map<string, string> {
  const texts = new Map<string, string>();
  const wf = join(dir, ".github", "workflows");
  const names = existsSync(wf) ? readdirSync(wf).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  for (const rel of [...names.map((f) => `.github/workflows/${f}`), ".trivyignore", ".trivyignore.yaml", ".grype.yaml", GOVULNCHECK_IGNORE, "renovate.json", ".github/dependabot.yml", ".github/relay-security.json"]) {
    const p = join(dir, rel);
    if (existsSync(p)) texts.set(rel, readFileSync(p, "utf8"));
  }
  return texts;
}

/** What this run wrote (from disk) or, for a dry run, would write (from the plan). */
function planFiles(dir: string, ctx: ValidateContext): Map<string, string> {
  const texts = new Map<string, string>();
  for (const c of ctx.plan?.changes ?? []) {
    if (c.action === "skip" || c.action === "conflict" || c.action === "delete") continue;
    const onDisk = join(dir, c.path);
    const text = ctx.written.includes(c.path) || c.after === undefined ? (existsSync(onDisk) ? readFileSync(onDisk, "utf8") : undefined) : c.after;
    if (text !== undefined) texts.set(c.path, text);
  }
  for (const ignore of [".trivyignore", ".trivyignore.yaml", ".grype.yaml", GOVULNCHECK_IGNORE]) {
    if (!texts.has(ignore) && existsSync(join(dir, ignore))) texts.set(ignore, readFileSync(join(dir, ignore), "utf8"));
  }
  return texts;
}

/**
 * The validators over a set of files: parse, pins, the ignore-file rule, and actionlint on every
 * workflow (from disk when it was written; from a temp copy of the plan's text for a dry run).
 */
export async function validateRepo(dir: string, ctx: ValidateContext): Promise<Finding[]> {
  const texts = ctx.scope === "repo" ? repoFiles(dir) : planFiles(dir, ctx);
  const now = ctx.deps.now();
  const findings: Finding[] = [];
  for (const [path, text] of texts) {
    findings.push(...lintParse(path, text));
    if (path === ".trivyignore") findings.push(...lintTrivyignore(path, text, now));
    if (path === ".trivyignore.yaml") findings.push(...lintTrivyignoreYaml(path, text, now));
    if (path === ".grype.yaml") findings.push(...lintGrypeIgnore(path, text, now));
    if (path === GOVULNCHECK_IGNORE) findings.push(...lintGovulncheckIgnore(path, text, now));
  }
  const workflows = [...texts].filter(([p]) => isWorkflow(p)).map(([path, text]) => ({ path, text }));
  findings.push(...lintPins(workflows, loadPins()));
  findings.push(...(await actionlintOn(dir, workflows, ctx)));
  findings.push(...(await previewGate(dir, workflows, ctx)));
  return findings;
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
  const dockerText = dockerfile && existsSync(join(dir, dockerfile)) ? readFileSync(join(dir, dockerfile), "utf8") : undefined;
  return dryRunTrivy({
    dir,
    gate,
    imageArchive: ctx.imageArchive,
    offline: ctx.scope === "repo" ? Boolean(ctx.offline) : true,
    dockerfile: dockerText === undefined ? undefined : dockerfile,
    finalBaseImage: dockerText === undefined || !dockerfile ? undefined : parseDockerfile(dockerfile, dockerText).finalBaseImage,
    exec: ctx.deps.exec,
  });
}

async function actionlintOn(dir: string, workflows: { path: string; text: string }[], ctx: ValidateContext): Promise<Finding[]> {
  const onDisk = workflows.every((w) => existsSync(join(dir, w.path)) && readFileSync(join(dir, w.path), "utf8") === w.text);
  if (onDisk) return runActionlint(workflows.map((w) => w.path), { cwd: dir, exec: ctx.deps.exec });
  // A dry run: lint the planned text in a scratch copy, reported under the real paths.
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const scratch = mkdtempSync(join(tmpdir(), "relay-security-lint-"));
  try {
    mkdirSync(join(scratch, ".github", "workflows"), { recursive: true });
    for (const w of workflows) writeFileSync(join(scratch, w.path), w.text);
    return await runActionlint(workflows.map((w) => w.path), { cwd: scratch, exec: ctx.deps.exec });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

import { chooseWorkflow } from "./choose-workflow.js";
import { findBuilds } from "./find-builds.js";
import { findOurStep, findScanner, isRecord, jobsOf, OUR_JOB_KEY, stepsOf, triggers, type Workflow } from "./locate.js";
import { refuseBroken, refuseJob, refusePrebuilt } from "./refuse.js";
import { usesAction } from "./shapes.js";
import { scannerOf, type Build, type GateRequest, type GateResult } from "./types.js";

/**
 * Stage 2 of the gate: decide where our scan goes, from the builds stage 1 found. Pure decisions, no
 * text edited here. The answer is a placement for edit.ts, or a final result (nothing to edit).
 */
export type OkBuild = Build & { gate: Extract<Build["gate"], { ok: true }> };

export type Placement =
  | { kind: "result"; result: GateResult }
  /** Our step (or our job, when `jobKey` is OUR_JOB_KEY) is already there: replace it in place. */
  | { kind: "upgrade"; wf: Workflow; jobKey: string; index: number; first: number; last: number; imageRef: string; condition?: string }
  /** Insert our step after this build; if the shape turns out unsafe, `placeJob` decides again. */
  | { kind: "step"; wf: Workflow; build: OkBuild; notes: string[] }
  | { kind: "job"; wf: Workflow; why: string; notes: string[] };

const isCi = (wf: Workflow) => /(^|\/)ci\.ya?ml$/.test(wf.path);
const done = (result: GateResult): Placement => ({ kind: "result", result });

export function place(all: Workflow[], req: GateRequest): Placement {
  const notes: string[] = [];

  // Our step already there (any workflow): upgrade it in place, wherever the user keeps it.
  for (const wf of all.filter((w) => w.text.includes("relay-security-scan"))) {
    if (wf.error) return done(refuseBroken(wf, req));
    const ours = findOurStep(wf);
    if (ours) return { kind: "upgrade", wf, ...ours, ...upgradeTarget(wf, ours, req) };
  }

  let chosen: Workflow | undefined;
  if (req.workflow !== undefined) {
    const name = req.workflow.replace(/^\.\//, "");
    chosen = all.find((w) => w.path === name) ?? all.find((w) => w.path.split("/").pop() === name);
    if (!chosen) return done(refuseJob(name, `--workflow ${req.workflow}: no such file under .github/workflows`, req));
    if (chosen.error) return done(refuseBroken(chosen, req));
    const on = triggers(chosen);
    if (!on.includes("pull_request") && on.includes("pull_request_target")) {
      return done(refuseJob(chosen.path, "runs on pull_request_target; the gate never goes there (that event runs with the base repository's secrets and a write token)", req));
    }
    if (!on.includes("pull_request")) notes.push(`${chosen.path} does not run on pull_request; the gate runs only on its events (${on.join(", ") || "none"})`);
  }

  const parsed = all.filter((w) => !w.error);
  const pr = parsed.filter((w) => triggers(w).includes("pull_request"));
  for (const wf of parsed) {
    const on = triggers(wf);
    if (on.includes("pull_request_target") && !on.includes("pull_request")) {
      notes.push(`${wf.path} runs on pull_request_target; no gate there: that event runs a PR's code with the base repository's secrets and a write token`);
    }
  }
  if (!chosen) {
    const broken = all.filter((w) => w.error);
    const brokenCi = broken.find(isCi);
    if (brokenCi || (pr.length === 0 && broken[0])) return done(refuseBroken((brokenCi ?? broken[0]) as Workflow, req));
    for (const wf of broken) notes.push(`${wf.path} ${wf.error?.message.startsWith("not UTF-8") ? "is not UTF-8" : "does not parse"} (line ${wf.error?.line}); not considered`);
  }

  for (const wf of chosen ? [chosen] : pr) {
    const scan = findScanner(wf);
    if (scan) return done(alreadyScanned(wf, scan, notes, req));
    const called = calledScanner(wf, parsed);
    if (called) return done(alreadyScanned(called.wf, called.scan, [...notes, called.note], req));
  }
  if (!chosen && pr.length === 0) return done(newCi("no workflow runs on pull_request", notes, req));

  const search = { dockerfile: req.dockerfile, readFile: req.readFile };
  const found = new Map((chosen ? [chosen] : pr).map((w) => [w, findBuilds(w, search)] as const));
  let pick = chosen;
  if (!pick) {
    const choice = chooseWorkflow(pr, new Map([...found].map(([w, f]) => [w, f.builds])), notes, req.dockerfile);
    if ("tie" in choice) return done({ kind: "choose", candidates: choice.tie });
    if ("none" in choice) return done(newCi("no workflow runs on a new pull-request commit", notes, req));
    pick = choice.pick;
  }
  const { builds, notes: shapeNotes } = found.get(pick) ?? findBuilds(pick, search);
  notes.push(...shapeNotes);
  return placeInWorkflow(pick, builds, notes, req);
}

/**
 * No pull-request workflow to edit: ci.yml is created with our image-scan job, unless the Dockerfile
 * COPYs a binary built outside it (a GoReleaser release image), which that job could not build from a
 * clean checkout: its every run, and the rescan's, would fail (glance's Dockerfile.goreleaser, alone).
 */
function newCi(why: string, notes: string[], req: GateRequest): GateResult {
  if (req.copiesPrebuiltBinary) return refusePrebuilt(".github/workflows/ci.yml", why, req, notes);
  return { kind: "none", notes: [...notes, `${why}; ci.yml will be created with the image-scan job`] };
}

/** The build our step follows, or our own job when none leaves the image in the daemon. */
function placeInWorkflow(wf: Workflow, builds: readonly Build[], notes: string[], req: GateRequest): Placement {
  const exact = builds.filter((b) => b.match === "exact");
  const pool = exact.length > 0 ? exact : builds;
  // Our block calls a local action (.github/actions/relay-security-db) and reads the ignore file: both
  // need this repository checked out in that job before it. A build of a path has the repository in
  // the workspace already; build-push-action or bake-action from a git context needs no checkout.
  const needsCheckout = /^\s*uses: \.\//m.test(req.step("IMAGE"));
  const unchecked = (b: Build) => needsCheckout && buildsFromGit(wf, b) && !checkedOutBefore(wf, b.jobKey, b.index);
  const use = pool.find((b): b is OkBuild => b.gate.ok && !unchecked(b));
  for (const b of pool) if (b !== use && !b.gate.ok) notes.push(`${wf.path}: ${b.where}: ${b.gate.why}`);
  const noCheckout = pool.filter((b) => b.gate.ok && unchecked(b));
  for (const b of noCheckout) notes.push(`${wf.path}: ${b.where}: job ${b.jobKey} has no actions/checkout of this repository before it, which our steps need (they run ${LOCAL_ACTION} and read the ignore file); our image-scan job, which checks out, scans instead`);
  if (use) return { kind: "step", wf, build: use, notes: use.matrix ? [...notes, use.matrix.step] : notes };
  for (const note of new Set(pool.flatMap((b) => (b.matrix ? [b.matrix.job] : [])))) notes.push(note);
  const why =
    builds.length === 0
      ? `no step in ${wf.path} builds ${req.dockerfile}`
      : noCheckout.length > 0
        ? `no step in ${wf.path} that leaves ${req.dockerfile}'s image in the Docker daemon has a checkout of the repository before it`
        : `no step in ${wf.path} leaves ${req.dockerfile}'s image, tagged, in the Docker daemon`;
  return placeJob(wf, why, notes, req);
}

/** Our local action, which a job runs only from a checkout of this repository. */
const LOCAL_ACTION = "./.github/actions/relay-security-db";

/** A build action step with no `context:` / `source:` (or a git one): it reads the repository from git, not the workspace. */
function buildsFromGit(wf: Workflow, b: Build): boolean {
  const step = stepsOf(jobsOf(wf).find(([key]) => key === b.jobKey)?.[1] ?? {})[b.index] ?? {};
  if (!usesAction(step["uses"], "docker/build-push-action") && !usesAction(step["uses"], "docker/bake-action")) return false;
  const w = isRecord(step["with"]) ? step["with"] : {};
  // bake-action names its context `source` (git by default since v6), build-push-action `context`.
  const input = usesAction(step["uses"], "docker/bake-action") ? w["source"] : w["context"];
  const context = input === undefined ? undefined : String(input).trim();
  return context === undefined || context.startsWith("{{defaultContext}}") || /^(https?:\/\/|git@|git:\/\/)/.test(context);
}

/**
 * An `actions/checkout` of this repository into the workspace root before step `index` of the job: no
 * `repository:` (or this one) and no `path:` (or `.`), so `./.github/actions/...` resolves.
 */
function checkedOutBefore(wf: Workflow, jobKey: string, index: number): boolean {
  const steps = stepsOf(jobsOf(wf).find(([key]) => key === jobKey)?.[1] ?? {});
  return steps.slice(0, index).some((s) => {
    if (!usesAction(s["uses"], "actions/checkout")) return false;
    const w = isRecord(s["with"]) ? s["with"] : {};
    const repo = w["repository"] === undefined ? "" : String(w["repository"]).replace(/\s+/g, "");
    const path = w["path"] === undefined ? "" : String(w["path"]).trim().replace(/^\.\/?$/, "");
    return (repo === "" || repo === "${{github.repository}}") && path === "";
  });
}

/**
 * A local reusable workflow called from a pull-request workflow (`uses: ./.github/workflows/x.yml`)
 * that already fails on its image scan (exit-code 1): the image is scanned on every PR already
 * (issue 10 §3). Its other callers make it no place for our edit, so we add nothing.
 */
function calledScanner(wf: Workflow, all: Workflow[]): { wf: Workflow; scan: NonNullable<ReturnType<typeof findScanner>>; note: string } | undefined {
  for (const [jobKey, job] of jobsOf(wf)) {
    const uses = job["uses"];
    if (typeof uses !== "string" || !uses.startsWith("./")) continue;
    const target = all.find((w) => w.path === uses.replace(/^\.\//, "").replace(/@.*$/, ""));
    const scan = target ? findScanner(target) : undefined;
    if (!target || !scan) continue;
    const step = stepsOf(jobsOf(target).find(([k]) => k === scan.jobKey)?.[1] ?? {})[scan.index] ?? {};
    if (!failsOnFindings(step)) continue;
    return { wf: target, scan, note: `${wf.path}: job ${jobKey} calls ${target.path} on pull_request, which fails on its image scan (${scan.what}); treated as already scanned` };
  }
  return undefined;
}

/** The scanner step fails the job on findings: trivy-action `exit-code` non-zero, `trivy --exit-code N`, scan-action `fail-build`. */
function failsOnFindings(step: Record<string, unknown>): boolean {
  const w = isRecord(step["with"]) ? step["with"] : {};
  if (w["exit-code"] !== undefined) return String(w["exit-code"]) !== "0";
  if (w["fail-build"] !== undefined) return String(w["fail-build"]) !== "false";
  if (typeof step["run"] === "string") return /--exit-code[=\s]+[1-9]|--fail-on\b/.test(step["run"]);
  // anchore/scan-action fails by default; trivy-action's exit-code defaults to 0.
  return typeof step["uses"] === "string" && step["uses"].startsWith("anchore/scan-action");
}

/** Our own image-scan job in `wf`, unless the image cannot be built from a clean checkout or the key is taken. */
export function placeJob(wf: Workflow, why: string, notes: string[], req: GateRequest): Placement {
  if (req.copiesPrebuiltBinary) return done(refusePrebuilt(wf.path, why, req, notes));
  if (jobsOf(wf).some(([key]) => key === OUR_JOB_KEY)) return done(refuseJob(wf.path, `${why}, and a job named ${OUR_JOB_KEY} already exists`, req, notes));
  return { kind: "job", wf, why, notes };
}

/** The image (and condition) of the build before our step now; else what our step scanned before. */
function upgradeTarget(wf: Workflow, ours: { jobKey: string; index: number; first: number }, req: GateRequest): { imageRef: string; condition?: string } {
  if (ours.jobKey === OUR_JOB_KEY) return { imageRef: "" };
  const before = findBuilds(wf, { dockerfile: req.dockerfile, readFile: req.readFile }).builds.filter(
    (b) => b.jobKey === ours.jobKey && b.index < ours.first && b.gate.ok,
  );
  const last = before.at(-1)?.gate;
  if (last?.ok) return { imageRef: last.imageRef, ...(last.condition ? { condition: last.condition } : {}) };
  const job = jobsOf(wf).find(([key]) => key === ours.jobKey)?.[1] ?? {};
  const step = stepsOf(job)[ours.index];
  const old = step?.["with"];
  // trivy-action names the image `image-ref`, anchore/scan-action `image` (--scanner grype).
  const imageRef = String((isRecord(old) ? (old["image-ref"] ?? old["image"]) : undefined) ?? "");
  return { imageRef, ...(typeof step?.["if"] === "string" ? { condition: step["if"] } : {}) };
}

/** Report the scanner that is already there, and offer our step in its place (issue 3, "Already scanned"). */
function alreadyScanned(wf: Workflow, scan: { jobKey: string; index: number; what: string }, notes: string[], req: GateRequest): GateResult {
  const step = stepsOf(jobsOf(wf).find(([key]) => key === scan.jobKey)?.[1] ?? {})[scan.index] ?? {};
  const inputs = isRecord(step["with"]) ? step["with"] : {};
  const named = inputs["image-ref"] ?? inputs["image"];
  const built = findBuilds(wf, { dockerfile: req.dockerfile, readFile: req.readFile }).builds.find((b) => b.gate.ok)?.gate;
  const imageRef = typeof named === "string" ? named : built?.ok ? built.imageRef : "IMAGE:TAG";
  const where = `job ${scan.jobKey}, step ${scan.index + 1}`;
  const ours = req.step(imageRef).trimEnd();
  const policy =
    scannerOf(ours) === "Grype"
      ? "same Grype version, severity cutoff, only-fixed and .grype.yaml"
      : "same Trivy version, severities, ignore-unfixed and .trivyignore";
  return {
    kind: "already-scanned",
    file: wf.path,
    job: scan.jobKey,
    summary: `${where} already scans the image (${scan.what}); no second gate added`,
    notes: [
      ...notes,
      `To bring ${where} to relay-security's pinned, policy-complete form (${policy} as the scheduled scan), replace it with:\n\n${ours}`,
    ],
  };
}

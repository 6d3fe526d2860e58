import { isAlias } from "yaml";
import { findBuilds, type Build } from "./build.js";
import { addJob, insertStep, replaceJob, replaceStep, UnsafeShape, type Edit } from "./edit.js";
import { editableSteps, findOurStep, findScanner, isRecord, jobsOf, OUR_JOB_KEY, parseWorkflow, stepsOf, triggers, type Workflow } from "./locate.js";
import { refuseBroken, refuseJob, refusePrebuilt, refuseStep } from "./refuse.js";
import { verifyEdit } from "./verify.js";

/**
 * The PR gate in the user's own workflow (PRODUCT.md "The PR gate", issue 3). Pure: text in, a plan
 * out; `applyPlan` writes. Every edit is checked by `verifyEdit` before it is returned.
 */
export interface GateRequest {
  /** Every .github/workflows/*.y(a)ml with its raw text. */
  workflows: { path: string; text: string }[];
  /** The chosen Dockerfile, repo-relative. */
  dockerfile: string;
  /** The build context, usually ".". */
  context: string;
  /** `--workflow FILE` (a path or a file name). */
  workflow?: string;
  readFile(rel: string): string | undefined;
  /** The Dockerfile only COPYs a prebuilt binary (goreleaser style). */
  copiesPrebuiltBinary: boolean;
  /** Our step at column 0 (renderGateStep). */
  step(imageRef: string): string;
  /** Our image-scan job at column 0 (renderImageScanJob). */
  job(): string;
}

export type GateResult =
  | { kind: "edit"; file: string; before: string; after: string; summary: string; notes: string[]; addedLoad: boolean }
  | { kind: "unchanged"; file: string; summary: string }
  | { kind: "none"; notes: string[] }
  | { kind: "already-scanned"; file: string; job: string; summary: string; notes: string[] }
  | { kind: "choose"; candidates: string[] }
  | { kind: "refuse"; file: string; reason: string; manual: string };

const isCi = (wf: Workflow) => /(^|\/)ci\.ya?ml$/.test(wf.path);
/** Which scanner our rendered step runs, for messages (`--scanner grype` renders anchore/scan-action). */
const scannerOf = (stepText: string) => (/\buses: anchore\/scan-action@/.test(stepText) ? "Grype" : "Trivy");

export function planGate(req: GateRequest): GateResult {
  const all = req.workflows.map((w) => parseWorkflow(w.path, w.text));
  const search = { dockerfile: req.dockerfile, readFile: req.readFile };
  const notes: string[] = [];

  // Our step already there (any workflow): upgrade it in place, wherever the user keeps it.
  for (const wf of all.filter((w) => w.text.includes("relay-security-scan"))) {
    if (wf.error) return refuseBroken(wf, req);
    const ours = findOurStep(wf);
    if (ours) return upgrade(wf, ours, req);
  }

  let chosen: Workflow | undefined;
  if (req.workflow !== undefined) {
    const name = req.workflow.replace(/^\.\//, "");
    chosen = all.find((w) => w.path === name) ?? all.find((w) => w.path.split("/").pop() === name);
    if (!chosen) return refuseJob(name, `--workflow ${req.workflow}: no such file under .github/workflows`, req);
    if (chosen.error) return refuseBroken(chosen, req);
    const on = triggers(chosen);
    if (!on.includes("pull_request") && on.includes("pull_request_target")) {
      return refuseJob(chosen.path, "runs on pull_request_target; the gate never goes there (that event runs with the base repository's secrets and a write token)", req);
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
    if (brokenCi || (pr.length === 0 && broken[0])) return refuseBroken((brokenCi ?? broken[0]) as Workflow, req);
    for (const wf of broken) notes.push(`${wf.path} does not parse (line ${wf.error?.line}); not considered`);
  }

  for (const wf of chosen ? [chosen] : pr) {
    const scan = findScanner(wf);
    if (scan) return alreadyScanned(wf, scan, notes, req);
  }
  if (!chosen && pr.length === 0) return { kind: "none", notes: [...notes, "no workflow runs on pull_request; ci.yml will be created with the image-scan job"] };

  const found = new Map((chosen ? [chosen] : pr).map((w) => [w, findBuilds(w, search)] as const));
  const withBuild = pr.filter((w) => (found.get(w)?.builds.length ?? 0) > 0);
  const pick =
    chosen ??
    (withBuild.length === 1 ? withBuild[0] : withBuild.length > 1 ? withBuild.find(isCi) : (pr.find(isCi) ?? (pr.length === 1 ? pr[0] : undefined)));
  if (!pick) return { kind: "choose", candidates: (withBuild.length > 1 ? withBuild : pr).map((w) => w.path) };
  const { builds, notes: shapeNotes } = found.get(pick) ?? findBuilds(pick, search);
  notes.push(...shapeNotes);
  return gateIn(pick, builds, notes, req);
}

function gateIn(wf: Workflow, builds: Build[], notes: string[], req: GateRequest): GateResult {
  const exact = builds.filter((b) => b.match === "exact");
  const pool = exact.length > 0 ? exact : builds;
  const use = pool.find((b) => b.gate.ok);
  for (const b of pool) if (b !== use && !b.gate.ok) notes.push(`${wf.path}: ${b.where}: ${b.gate.why}`);
  if (use?.gate.ok) {
    const { imageRef, addLoad, addId, how } = use.gate;
    const stepText = req.step(imageRef);
    const seq = editableSteps(wf, use.jobKey);
    if ("unsafe" in seq) return refuseStep(wf.path, `${seq.unsafe} (line ${seq.line})`, use, stepText, notes);
    if (isAlias(seq.seq.items[use.index])) return refuseStep(wf.path, `the build step is a YAML alias`, use, stepText, notes);
    try {
      const edit = insertStep(wf, use.jobKey, use.index, stepText, { addLoad, ...(addId ? { addId } : {}) });
      const editNotes = [`${how}; the step scans ${imageRef}`];
      if (addLoad) editNotes.push(`added \`load: true\` to ${use.where}, so the image reaches the Docker daemon for the scan (the only change to your lines)`);
      if (addId) editNotes.push(`gave ${use.where} \`id: ${addId}\`, so the scan can name the image by its imageid output (it has no tags)`);
      return done(wf, edit, `inserted the ${scannerOf(stepText)} step after ${use.where}`, [...notes, ...editNotes], addLoad);
    } catch (e) {
      if (!(e instanceof UnsafeShape)) throw e;
      notes.push(`${wf.path}: ${use.where}: ${e.message}; the gate builds the image in its own job instead`);
    }
  }
  const why = builds.length === 0 ? `no step in ${wf.path} builds ${req.dockerfile}` : `no step in ${wf.path} leaves ${req.dockerfile}'s image, tagged, in the Docker daemon`;
  if (req.copiesPrebuiltBinary) return refusePrebuilt(wf.path, why, req, notes);
  if (jobsOf(wf).some(([key]) => key === OUR_JOB_KEY)) return refuseJob(wf.path, `${why}, and a job named ${OUR_JOB_KEY} already exists`, req, notes);
  try {
    return done(wf, addJob(wf, req.job()), `added the ${OUR_JOB_KEY} job (builds ${req.dockerfile} and scans it): ${why}`, notes, false);
  } catch (e) {
    if (e instanceof UnsafeShape) return refuseJob(wf.path, e.message, req);
    throw e;
  }
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

function upgrade(wf: Workflow, ours: { jobKey: string; index: number; first: number; last: number }, req: GateRequest): GateResult {
  try {
    const job = jobsOf(wf).find(([key]) => key === ours.jobKey)?.[1] ?? {};
    let edit: Edit | "unchanged";
    let scanner = "Trivy";
    if (ours.jobKey === OUR_JOB_KEY) edit = replaceJob(wf, ours.jobKey, req.job());
    else {
      // The image the build before our step produces now; else the one our step scanned before.
      const before = findBuilds(wf, { dockerfile: req.dockerfile, readFile: req.readFile }).builds.filter(
        (b) => b.jobKey === ours.jobKey && b.index < ours.first && b.gate.ok,
      );
      const last = before.at(-1)?.gate;
      const old = stepsOf(job)[ours.index]?.["with"];
      // trivy-action names the image `image-ref`, anchore/scan-action `image` (--scanner grype).
      const imageRef = last?.ok ? last.imageRef : String((isRecord(old) ? (old["image-ref"] ?? old["image"]) : undefined) ?? "");
      const stepText = req.step(imageRef);
      scanner = scannerOf(stepText);
      edit = replaceStep(wf, ours.jobKey, ours.index, stepText, ours.first, ours.last);
    }
    const where = ours.jobKey === OUR_JOB_KEY ? `the ${OUR_JOB_KEY} job` : `the ${scanner} step in job ${ours.jobKey}`;
    if (edit === "unchanged") return { kind: "unchanged", file: wf.path, summary: `${where} is up to date` };
    return done(wf, edit, `updated ${where} in place`, [], false);
  } catch (e) {
    if (e instanceof UnsafeShape) return refuseJob(wf.path, e.message, req);
    throw e;
  }
}

function done(wf: Workflow, edit: Edit, summary: string, notes: string[], addedLoad: boolean): GateResult {
  verifyEdit({ before: wf.text, after: edit.after, expect: edit.expect, ...(edit.replaced ? { replaced: edit.replaced } : {}) });
  return { kind: "edit", file: wf.path, before: wf.text, after: edit.after, summary, notes, addedLoad };
}

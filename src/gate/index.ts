import { isDeepStrictEqual } from "node:util";
import { isAlias } from "yaml";
import { parseYamlOnce } from "../yaml-once.js";
import { addJob, insertStep, replaceJob, replaceStep, UnsafeShape, type Edit } from "./edit.js";
import { editableSteps, jobsOf, OUR_JOB_KEY, parseWorkflow, stepsOf, type Workflow } from "./locate.js";
import { place, placeJob, type Placement } from "./place.js";
import { refuseJob, refuseStep } from "./refuse.js";
import { scannerOf, type GateRequest, type GateResult } from "./types.js";
import { verifyEdit } from "./verify.js";

export type { BuildSpec, GateRequest, GateResult } from "./types.js";
export { defaultOfTie } from "./choose-workflow.js";

/**
 * The PR gate in the user's own workflow (PRODUCT.md "The PR gate", issue 3). Pure: text in, a result
 * out; `applyPlan` writes. One direction: locate the builds and decide where the scan goes (place.ts,
 * on find-builds.ts), build our edit (edit.ts, on splice.ts), check it (verify.ts).
 */
export function planGate(req: GateRequest): GateResult {
  const placement = place(req.workflows.map(parseUtf8Workflow), req);
  switch (placement.kind) {
    case "result":
      return placement.result;
    case "upgrade":
      return upgrade(placement, req);
    case "step":
      return stepAfterBuild(placement, req);
    case "job":
      return ourJob(placement, req);
  }
}

/** A file that is not UTF-8 counts as one we cannot read: editing its decoded text would replace its bytes. */
function parseUtf8Workflow(w: GateRequest["workflows"][number]): Workflow {
  const wf = parseWorkflow(w.path, w.text);
  if (w.notUtf8Line !== undefined) wf.error = { line: w.notUtf8Line, message: "not UTF-8 text, so an edit could not keep its bytes; convert it to UTF-8 (iconv -f latin1 -t utf-8)" };
  return wf;
}

function stepAfterBuild(p: Extract<Placement, { kind: "step" }>, req: GateRequest): GateResult {
  const { wf, build, notes } = p;
  const { imageRef, addLoad, addId, how, condition } = build.gate;
  const stepText = req.step(imageRef, condition);
  const seq = editableSteps(wf, build.jobKey);
  if ("unsafe" in seq) return refuseStep(wf.path, `${seq.unsafe} (line ${seq.line})`, build, stepText, notes);
  if (isAlias(seq.seq.items[build.index])) return refuseStep(wf.path, `the build step is a YAML alias`, build, stepText, notes);
  try {
    const edit = insertStep(wf, build.jobKey, build.index, stepText, { addLoad, ...(addId ? { addId } : {}) });
    const editNotes = [`${how}; the step scans ${imageRef}`];
    if (condition) editNotes.push(`${build.where} runs only when ${condition}; the scan step carries the same if:`);
    if (addLoad) editNotes.push(`added \`load: true\` to ${build.where}, so the image reaches the Docker daemon for the scan (the only change to your lines)`);
    if (addId) editNotes.push(`gave ${build.where} \`id: ${addId}\`, so the scan can name the image by its imageid output (it has no tags)`);
    return verified(wf, edit, `inserted the ${scannerOf(stepText)} step after ${build.where}`, [...notes, ...editNotes], addLoad);
  } catch (e) {
    if (!(e instanceof UnsafeShape)) throw e;
    const why = `${wf.path}: ${build.where}: ${e.message}; the gate builds the image in its own job instead`;
    // Our own job builds one image: the matrix note says so, not that a step runs in every leg.
    const jobNotes = notes.map((n) => (build.matrix && n === build.matrix.step ? build.matrix.job : n));
    const fallback = placeJob(wf, `no step in ${wf.path} leaves ${req.dockerfile}'s image, tagged, in the Docker daemon`, [...jobNotes, why], req);
    return fallback.kind === "job" ? ourJob(fallback, req) : fallback.kind === "result" ? fallback.result : refuseJob(wf.path, e.message, req);
  }
}

function ourJob(p: Extract<Placement, { kind: "job" }>, req: GateRequest): GateResult {
  try {
    return verified(p.wf, addJob(p.wf, req.job()), `added the ${OUR_JOB_KEY} job (builds ${req.dockerfile} and scans it): ${p.why}`, p.notes, false);
  } catch (e) {
    if (e instanceof UnsafeShape) return refuseJob(p.wf.path, e.message, req);
    throw e;
  }
}

function upgrade(p: Extract<Placement, { kind: "upgrade" }>, req: GateRequest): GateResult {
  const { wf, jobKey, index } = p;
  try {
    const isJob = jobKey === OUR_JOB_KEY;
    const stepText = isJob ? "" : req.step(p.imageRef, p.condition);
    const edit = isJob ? replaceJob(wf, jobKey, req.job()) : replaceStep(wf, jobKey, index, stepText, p.first, p.last);
    const where = isJob ? `the ${OUR_JOB_KEY} job` : `the ${scannerOf(stepText)} step in job ${jobKey}`;
    if (edit === "unchanged") return { kind: "unchanged", file: wf.path, summary: `${where} is up to date` };
    return verified(wf, edit, `updated ${where} in place`, [], false);
  } catch (e) {
    if (!(e instanceof UnsafeShape)) throw e;
    if (jobKey === OUR_JOB_KEY) return refuseJob(wf.path, e.message, req);
    return keptByHand(wf, p, req.step(p.imageRef, p.condition), e.message);
  }
}

/**
 * Our steps where we cannot edit (an anchored or flow steps list): the user added them by hand, as a
 * refusal told them to. The same steps as data are up to date, whatever their layout; others are a
 * refusal that shows the steps to put in their place, never the whole job again.
 */
function keptByHand(wf: Workflow, p: Extract<Placement, { kind: "upgrade" }>, stepText: string, why: string): GateResult {
  const job = jobsOf(wf).find(([key]) => key === p.jobKey)?.[1] ?? {};
  const block = stepsOf(job).slice(p.first, p.last + 1);
  const where = `the ${scannerOf(stepText)} step in job ${p.jobKey}`;
  if (isDeepStrictEqual(block, parseYamlOnce(stepText).data())) return { kind: "unchanged", file: wf.path, summary: `${where} is up to date (as you added it: ${why})` };
  const ids = block.map((s) => s["id"]).filter((id) => typeof id === "string").join(", ");
  return {
    kind: "refuse",
    file: wf.path,
    reason: `cannot update ${where} in place: ${why}`,
    manual: [`Replace the steps of job ${p.jobKey} with the ids ${ids} by these:`, "", stepText.trimEnd()].join("\n"),
  };
}

/** Stage 4: every edit passes `verifyEdit` (it throws on a bug of ours) before it is returned. */
function verified(wf: Workflow, edit: Edit, summary: string, notes: string[], addedLoad: boolean): GateResult {
  verifyEdit({ before: wf.text, after: edit.after, expect: edit.expect, ...(edit.replaced ? { replaced: edit.replaced } : {}) });
  return { kind: "edit", file: wf.path, before: wf.text, after: edit.after, summary, notes, addedLoad };
}

export { findCiBuild } from "./ci-build.js";

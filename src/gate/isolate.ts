import { addJob, replaceJob, UnsafeShape, type Edit } from "./edit.js";
import type { GateResult } from "./types.js";
import { findOurStep, jobsOf, OUR_JOB_KEY, OUR_STEP_ID, parseWorkflow, stepsOf } from "./locate.js";
import { verifyEdit } from "./verify.js";

/** The job `--isolated-scan` adds next to the user's build job (issue 20 item 7). */
export const ISOLATED_JOB_KEY = "relay-security-image-scan";

/**
 * `--isolated-scan`: the gate's splice has put our save + upload steps after the build step (the same
 * byte-preserving splice as the scan step); here the scan job that `needs:` that build job is added, or
 * replaced in place on a re-run, in the same file. Our own image-scan job (no build step to hang on)
 * already holds only `contents: read`, so it is left as it is.
 */
export function isolateScan(gate: GateResult, opts: { job(buildJob: string): string; readFile(rel: string): string | undefined }): GateResult {
  if (gate.kind !== "edit" && gate.kind !== "unchanged") return gate;
  const text = gate.kind === "edit" ? gate.after : opts.readFile(gate.file);
  if (text === undefined) return gate;
  const wf = parseWorkflow(gate.file, text);
  const ours = wf.error ? undefined : findOurStep(wf);
  if (!ours || ours.jobKey === OUR_JOB_KEY) return gate;
  const jobText = opts.job(ours.jobKey);
  let edit: Edit | "unchanged";
  try {
    edit = jobsOf(wf).some(([k]) => k === ISOLATED_JOB_KEY) ? replaceJob(wf, ISOLATED_JOB_KEY, jobText) : addJob(wf, jobText);
  } catch (e) {
    if (!(e instanceof UnsafeShape)) throw e;
    return { kind: "refuse", file: gate.file, reason: `--isolated-scan: cannot add the ${ISOLATED_JOB_KEY} job (${e.message})`, manual: jobText };
  }
  if (edit === "unchanged") return gate;
  verifyEdit({ before: text, after: edit.after, expect: edit.expect, ...(edit.replaced ? { replaced: edit.replaced } : {}) });
  const what = `job ${ISOLATED_JOB_KEY} scans the image job ${ours.jobKey} saves (--isolated-scan): contents: read only, no secrets, its checkout keeps no token`;
  if (gate.kind === "edit") return { ...gate, after: edit.after, summary: gate.summary.replace(/the (?:Trivy|Grype) step/, "the image save and upload steps"), notes: [...gate.notes, what] };
  return { kind: "edit", file: gate.file, before: text, after: edit.after, summary: `updated the ${ISOLATED_JOB_KEY} job in place`, notes: [], addedLoad: false };
}

/** `--isolated-scan` turned off: our steps are back to the scan step, and the old job is the user's to remove. */
export function staleIsolatedJob(file: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const wf = parseWorkflow(file, text);
  if (wf.error || !jobsOf(wf).some(([k]) => k === ISOLATED_JOB_KEY)) return undefined;
  return `${file}: job ${ISOLATED_JOB_KEY} is left from --isolated-scan, which is now off; remove it by hand (it would download an image artifact no step uploads)`;
}

/** The scan step of our isolated scan job, as data, for the validators' preview of the gate's policy. */
export function isolatedScanStep(file: string, text: string): Record<string, unknown> | undefined {
  const wf = parseWorkflow(file, text);
  if (wf.error) return undefined;
  const job = jobsOf(wf).find(([k]) => k === ISOLATED_JOB_KEY)?.[1];
  return job ? stepsOf(job).find((s) => s["id"] === OUR_STEP_ID) : undefined;
}

import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type YAMLMap, type YAMLSeq } from "yaml";
import { parseYamlOnce } from "../yaml-once.js";
import { SCANNER_SHAPES, usesAction } from "./shapes.js";

/** Our step's stable identity (issue 3: "Our step carries a stable identity"). */
export const OUR_STEP_ID = "relay-security-scan";
/**
 * The steps `--reachability` puts directly before our step (issue 17: setup-go, govulncheck, the VEX
 * fix-up). They belong to it: an upgrade replaces them with it, and removes them with the option.
 */
export const OUR_COMPANION_IDS: readonly string[] = [
  "relay-security-setup-go", "relay-security-govulncheck", "relay-security-vex",
  // The vulnerability database (issue 18): its cache, the scanner's setup, the download.
  "relay-security-db-cache", "relay-security-setup", "relay-security-db",
];
/** Our steps directly below the scan step: the note when the database could not be had (issue 18). */
export const OUR_TRAILER_IDS: readonly string[] = ["relay-security-no-db"];
/** `--isolated-scan` (issue 20 item 7): the save step before our upload step, part of the same block. */
const OUR_BLOCK_IDS: readonly string[] = [...OUR_COMPANION_IDS, "relay-security-save"];
/** The key of the job we add when no step leaves the image in the daemon. */
export const OUR_JOB_KEY = "image-scan";
/** The first words of the comment above our step and our job. */
export const OUR_COMMENT = "# Added by relay-security";

export interface Workflow {
  path: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The first parse error, with its 1-based line. */
  error?: { line: number; message: string };
  /** The workflow as plain data (aliases resolved), for reading values; shared by every reader, so frozen. */
  data: Record<string, unknown>;
}

/** The workflow read from its text; the parse is shared with every other stage reading the same text (yaml-once.ts). */
export function parseWorkflow(path: string, text: string): Workflow {
  const { doc, lines, data: toData } = parseYamlOnce(text);
  const wf: Workflow = { path, text, doc, lines, data: {} };
  const err = doc.errors[0];
  if (err) {
    wf.error = { line: lines.linePos(err.pos[0]).line, message: err.message.split("\n")[0] ?? err.code };
    return wf;
  }
  const data: unknown = toData();
  if (data && typeof data === "object" && !Array.isArray(data)) wf.data = data as Record<string, unknown>;
  else wf.error = { line: 1, message: "the file is not a YAML mapping" };
  return wf;
}

/** Event names that trigger the workflow (`on:` as a string, a list or a map). */
/** The workflow's `on:` value: a plain string key in YAML 1.2 (the yaml default); a YAML 1.1 file reads it as `true`. */
export const onOf = (wf: { data: Record<string, unknown> }): unknown => wf.data["on"] ?? (wf.data as Record<string, unknown>)["true"];

export function triggers(wf: Workflow): string[] {
  const on = onOf(wf);
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.filter((e): e is string => typeof e === "string");
  if (on && typeof on === "object") return Object.keys(on);
  return [];
}

export const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** Every job as data, in file order. */
export function jobsOf(wf: Workflow): [string, Record<string, unknown>][] {
  const jobs = wf.data["jobs"];
  if (!isRecord(jobs)) return [];
  return Object.entries(jobs).filter((e): e is [string, Record<string, unknown>] => isRecord(e[1]));
}

export function stepsOf(job: Record<string, unknown>): Record<string, unknown>[] {
  const steps = job["steps"];
  return Array.isArray(steps) ? steps.map((s) => (isRecord(s) ? s : {})) : [];
}

/** The node for `jobs`, one job, or one job's steps, as written (may be an alias). */
export function jobsNode(wf: Workflow): Node | undefined {
  const root = wf.doc.contents;
  return isMap(root) ? (root.get("jobs", true) as Node | undefined) : undefined;
}

export function jobNode(wf: Workflow, jobKey: string): Node | undefined {
  const jobs = jobsNode(wf);
  return isMap(jobs) ? (jobs.get(jobKey, true) as Node | undefined) : undefined;
}

/** Why the steps of `jobKey` cannot be edited in place, or the block sequence that holds them. */
export function editableSteps(wf: Workflow, jobKey: string): { seq: YAMLSeq } | { unsafe: string; line: number } {
  const at = (n: Node | undefined | null) => wf.lines.linePos(n?.range?.[0] ?? 0).line;
  const jobs = jobsNode(wf);
  if (isAlias(jobs) || (isMap(jobs) && jobs.flow)) return { unsafe: "the jobs mapping is an alias or a flow mapping", line: at(jobs) };
  const job = jobNode(wf, jobKey);
  if (isAlias(job)) return { unsafe: `job ${jobKey} is a YAML alias`, line: at(job) };
  if (!isMap(job)) return { unsafe: `job ${jobKey} is not a mapping`, line: at(job) };
  if (job.flow) return { unsafe: `job ${jobKey} is a flow mapping ({ ... })`, line: at(job) };
  if (job.anchor) return { unsafe: `job ${jobKey} carries the anchor &${job.anchor}, so an edit would also change its aliases`, line: at(job) };
  if (job.items.some((p) => isScalar(p.key) && p.key.value === "<<")) return { unsafe: `job ${jobKey} merges another mapping (<<)`, line: at(job) };
  const pair = job.items.find((p) => isScalar(p.key) && p.key.value === "steps");
  const steps = pair?.value as Node | undefined;
  const line = at(pair?.key as Node | undefined); // the `steps:` line, where an anchor or alias is written
  if (isAlias(steps)) return { unsafe: `the steps of job ${jobKey} are the YAML alias *${steps.source}`, line };
  if (!isSeq(steps)) return { unsafe: `job ${jobKey} has no steps list`, line: at(job) };
  if (steps.flow) return { unsafe: `the steps of job ${jobKey} are a flow sequence ([ ... ])`, line };
  if (steps.anchor) return { unsafe: `the steps of job ${jobKey} carry the anchor &${steps.anchor}, so an edit would also change its aliases`, line };
  return { seq: steps };
}

/** The block mapping of jobs, or why we cannot add a job to it. */
export function editableJobs(wf: Workflow): { map: YAMLMap } | { unsafe: string; line: number } {
  const jobs = jobsNode(wf);
  const line = wf.lines.linePos(jobs?.range?.[0] ?? 0).line;
  if (!isMap(jobs)) return { unsafe: "the workflow has no jobs mapping", line };
  if (jobs.flow) return { unsafe: "the jobs are a flow mapping ({ ... })", line };
  if (jobs.anchor) return { unsafe: `the jobs mapping carries the anchor &${jobs.anchor}`, line };
  return { map: jobs };
}

/** Where our step already is: in which job, at which index. */
/** Our step's content (parsed) in a workflow's text, wherever it is; undefined when it is not there. */
export function ourStepData(path: string, text: string): Record<string, unknown> | undefined {
  const wf = parseWorkflow(path, text);
  if (wf.error) return undefined;
  const at = findOurStep(wf);
  return at ? stepsOf(jobsOf(wf).find(([key]) => key === at.jobKey)?.[1] ?? {})[at.index] : undefined;
}

/**
 * Our step's content with its companion steps (`--reachability`), for telling whether the user edited any
 * of them since we wrote them. Without companions it is exactly `ourStepData`, so older state files compare.
 */
export function ourBlockData(path: string, text: string): Record<string, unknown> | undefined {
  const wf = parseWorkflow(path, text);
  if (wf.error) return undefined;
  const at = findOurStep(wf);
  if (!at) return undefined;
  const steps = stepsOf(jobsOf(wf).find(([key]) => key === at.jobKey)?.[1] ?? {});
  const step = steps[at.index];
  if (!step || (at.first === at.index && at.last === at.index)) return step;
  const after = at.last === at.index ? {} : { "relay-security-after": steps.slice(at.index + 1, at.last + 1) };
  return { ...step, "relay-security-companions": steps.slice(at.first, at.index), ...after };
}

export function findOurStep(wf: Workflow): { jobKey: string; index: number; first: number; last: number } | undefined {
  for (const [jobKey, job] of jobsOf(wf)) {
    const steps = stepsOf(job);
    const index = steps.findIndex((s) => s["id"] === OUR_STEP_ID);
    if (index < 0) continue;
    // Our companion steps directly above it, if any: the block an upgrade replaces starts there.
    let first = index;
    while (first > 0 && OUR_BLOCK_IDS.includes(String(steps[first - 1]?.["id"]))) first--;
    let last = index;
    while (last + 1 < steps.length && OUR_TRAILER_IDS.includes(String(steps[last + 1]?.["id"]))) last++;
    return { jobKey, index, first, last };
  }
  return undefined;
}

/** A scanner already gating this workflow on an image, other than our own step. */
export function findScanner(wf: Workflow): { jobKey: string; index: number; what: string } | undefined {
  for (const [jobKey, job] of jobsOf(wf)) {
    const steps = stepsOf(job);
    for (const [index, step] of steps.entries()) {
      if ([OUR_STEP_ID, ...OUR_COMPANION_IDS, ...OUR_TRAILER_IDS].includes(String(step["id"]))) continue;
      const inputs = isRecord(step["with"]) ? step["with"] : {};
      for (const shape of SCANNER_SHAPES) {
        const byUses = shape.uses !== undefined && usesAction(step["uses"], shape.uses) && (shape.scansImage?.(inputs) ?? true);
        const byRun = shape.run !== undefined && typeof step["run"] === "string" && shape.run.test(step["run"]);
        if (byUses || byRun) return { jobKey, index, what: shape.id };
      }
    }
  }
  return undefined;
}

/** `name` of a step for messages, else its `uses` or the first line of its `run`. */
export function stepLabel(step: Record<string, unknown>): string {
  const text = step["name"] ?? step["uses"] ?? (typeof step["run"] === "string" ? step["run"].split("\n")[0] : undefined);
  return typeof text === "string" ? text : "unnamed step";
}

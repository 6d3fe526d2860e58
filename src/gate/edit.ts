import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import { parseYamlOnce } from "../yaml-once.js";
import { editableJobs, editableSteps, isRecord, jobNode, OUR_COMMENT, type Workflow } from "./locate.js";
import { afterLine, applySplices, blockEnd, columnOf, dashOffsets, eolOf, insertLines, lineStart, nestedIndent, reindent, type Splice, type Style } from "./splice.js";

/** One planned edit of a workflow: the new text and what it must equal as data (for `verifyEdit`). */
export interface Edit {
  after: string;
  expect(original: Record<string, unknown>): unknown;
  replaced?: [number, number];
}

/** Thrown when the shape around the edit point is one we do not edit (caller refuses or falls back). */
export class UnsafeShape extends Error {}

const col = (wf: Workflow, n: Node | null | undefined) => columnOf(wf.text, n?.range?.[0] ?? 0);
const firstKey = (m: YAMLMap) => (m.items[0]?.key ?? null) as Node | null;
/** Our step or job text as data: the same rendered text in every repository of a `fleet --local`, so parsed once. */
const asData = (text: string): unknown => parseYamlOnce(text).data();

function steps(wf: Workflow, jobKey: string): YAMLSeq {
  const e = editableSteps(wf, jobKey);
  if ("unsafe" in e) throw new UnsafeShape(`${e.unsafe} (line ${e.line})`);
  return e.seq;
}

function stepsKeyColumn(wf: Workflow, jobKey: string): number {
  const job = jobNode(wf, jobKey) as YAMLMap;
  return col(wf, job.items.find((p) => isScalar(p.key) && p.key.value === "steps")?.key as Node);
}

/** Are consecutive steps separated by blank lines? Decided by the majority of pairs. */
function blankBetweenSteps(wf: Workflow, seq: YAMLSeq, dashes: number[]): boolean {
  let pairs = 0;
  let blank = 0;
  for (let i = 0; i + 1 < seq.items.length; i++) {
    const end = blockEnd(wf.text, seq.items[i] as Node, columnOf(wf.text, dashes[i] as number));
    const gap = wf.text.slice(end, lineStart(wf.text, dashes[i + 1] as number));
    pairs++;
    if (gap.split("\n").some((l, k, all) => k < all.length - 1 && l.trim() === "")) blank++;
  }
  return blank * 2 > pairs;
}

/**
 * Insert our step after step `index` of `jobKey`; optionally add `load: true` to its `with:` and an `id`
 * (the only changes to a user's step we ever make, issue 3).
 */
export function insertStep(wf: Workflow, jobKey: string, index: number, stepText: string, opts: { addLoad?: boolean; addId?: string }): Edit {
  const { text } = wf;
  const eol = eolOf(text);
  const seq = steps(wf, jobKey);
  const dashes = dashOffsets(wf.doc, seq);
  const item = seq.items[index] as Node;
  const dashCol = columnOf(text, dashes[index] as number);
  if (!isMap(item) || item.flow) throw new UnsafeShape(`the build step at line ${wf.lines.linePos(dashes[index] ?? 0).line} is not a block mapping`);
  const keyCol = col(wf, firstKey(item));
  const fileIndent = nestedIndent(text, wf.doc.contents as YAMLMap);
  const style: Style = {
    itemOffset: Math.max(2, keyCol - dashCol),
    mapIndent: nestedIndent(text, item) ?? fileIndent ?? 2,
    seqIndent: dashCol - stepsKeyColumn(wf, jobKey),
  };
  const end = blockEnd(text, item, dashCol);
  const splices: Splice[] = [];
  // Same-offset splices land in list order: the id line, then load:, then our step.
  if (opts.addId) {
    const uses = item.items.find((p) => isScalar(p.key) && p.key.value === "uses")?.value as Node | undefined;
    if (!uses?.range) throw new UnsafeShape("the build step has no uses: line");
    splices.push(insertLines(text, afterLine(text, uses.range[1]), [`${" ".repeat(keyCol)}id: ${opts.addId}`], eol));
  }
  if (opts.addLoad) {
    const withPair = item.items.find((p) => isScalar(p.key) && p.key.value === "with") as Pair<Node, Node> | undefined;
    const w = withPair?.value;
    if (!withPair) splices.push(insertLines(text, end, [`${" ".repeat(keyCol)}with:`, `${" ".repeat(keyCol + style.mapIndent)}load: true`], eol));
    else if (isMap(w) && !w.flow && w.items.length > 0) {
      const at = blockEnd(text, w, col(wf, withPair.key));
      splices.push(insertLines(text, at, [`${" ".repeat(col(wf, firstKey(w)))}load: true`], eol));
    } else throw new UnsafeShape("the build step's with: is not a block mapping");
  }
  const lines = reindent(stepText, dashCol, style);
  splices.push(insertLines(text, end, blankBetweenSteps(wf, seq, dashes) ? ["", ...lines] : lines, eol));
  return {
    after: applySplices(text, splices),
    expect(o) {
      const list = stepList(o, jobKey);
      const build = list[index] as Record<string, unknown>;
      if (opts.addLoad) build["with"] = { ...(isRecord(build["with"]) ? build["with"] : {}), load: true };
      if (opts.addId) build["id"] = opts.addId;
      list.splice(index + 1, 0, ...(asData(stepText) as unknown[]));
      return o;
    },
  };
}

/** Add our job at the end of the `jobs:` mapping. */
export function addJob(wf: Workflow, jobText: string): Edit {
  const { text } = wf;
  const e = editableJobs(wf);
  if ("unsafe" in e) throw new UnsafeShape(`${e.unsafe} (line ${e.line})`);
  const jobs = e.map;
  const J = col(wf, jobs.items[0]?.key as Node);
  const end = blockEnd(text, lastNode(jobs.items.at(-1) as Pair<Node, Node>), J);
  const style = jobStyle(wf, jobs.items, J);
  let blank = jobs.items.length < 2;
  for (let i = 0; i + 1 < jobs.items.length; i++) {
    const gap = text.slice(blockEnd(text, lastNode(jobs.items[i] as Pair<Node, Node>), J), lineStart(text, (jobs.items[i + 1]?.key as Node).range?.[0] ?? 0));
    if (gap.split("\n").some((l, k, all) => k < all.length - 1 && l.trim() === "")) blank = true;
  }
  const lines = reindent(jobText, J, style);
  const key = Object.keys(asData(jobText) as object)[0] as string;
  return {
    after: applySplices(text, [insertLines(text, end, blank ? ["", ...lines] : lines, eolOf(text))]),
    expect(o) {
      (o["jobs"] as Record<string, unknown>)[key] = (asData(jobText) as Record<string, unknown>)[key];
      return o;
    },
  };
}

const lastNode = (p: Pair<Node, Node>): Node => (p.value?.range ? p.value : p.key);

/** How this file indents a job: its keys, its steps list and the gap after `-`, from the first job with steps. */
function jobStyle(wf: Workflow, pairs: YAMLMap["items"], J: number): Style {
  const style: Style = { mapIndent: 2, seqIndent: 2, itemOffset: 2 };
  const first = pairs.find((p) => isMap(p.value) && !p.value.flow && p.value.items.length > 0)?.value as YAMLMap | undefined;
  if (first) style.mapIndent = col(wf, firstKey(first)) - J;
  for (const p of pairs) {
    const job = p.value;
    if (!isMap(job) || job.flow) continue;
    const stepsPair = job.items.find((q) => isScalar(q.key) && q.key.value === "steps");
    const seq = stepsPair?.value;
    if (!isSeq(seq) || seq.flow || seq.items.length === 0) continue;
    const dash = dashOffsets(wf.doc, seq)[0] as number;
    style.seqIndent = columnOf(wf.text, dash) - col(wf, stepsPair?.key as Node);
    const item = seq.items[0];
    if (isMap(item) && !item.flow) style.itemOffset = Math.max(2, col(wf, firstKey(item)) - columnOf(wf.text, dash));
    break;
  }
  return style;
}

/** The offset of the first line of the comment block directly above `at` that starts with our marker. */
function ourCommentStart(text: string, at: number): number {
  let from = lineStart(text, at);
  for (let s = from; s > 0; ) {
    const prev = lineStart(text, s - 1);
    const line = text.slice(prev, s).replace(/\r?\n$/, "");
    if (!line.trimStart().startsWith("#")) break;
    if (line.trimStart().startsWith(OUR_COMMENT)) from = prev;
    s = prev;
  }
  return from;
}

function replaceLines(wf: Workflow, from: number, node: Node, base: number, newText: string, style: Style): Edit | "unchanged" {
  const { text } = wf;
  // No trailing comments taken: a comment the user put after our step stays theirs.
  let end = afterLine(text, Math.max(0, (node.range?.[1] ?? 0) - 1));
  while (end > from && text.slice(lineStart(text, end - 1), end).trim() === "") end = lineStart(text, end - 1);
  const eol = eolOf(text);
  const lines = reindent(newText, base, style);
  const body = lines.join(eol) + (end === text.length && !text.endsWith("\n") ? "" : eol);
  if (text.slice(from, end) === body) return "unchanged";
  return { after: applySplices(text, [{ start: from, end, text: body }]), expect: () => undefined, replaced: [from, end] };
}

/** Replace our step (with its comment, the companion steps from `first` on and ours after it up to `last`) in place. */
export function replaceStep(wf: Workflow, jobKey: string, index: number, stepText: string, first = index, last = index): Edit | "unchanged" {
  const seq = steps(wf, jobKey);
  const dash = dashOffsets(wf.doc, seq)[index] as number;
  const firstDash = dashOffsets(wf.doc, seq)[first] as number;
  const item = seq.items[index] as Node;
  const end = seq.items[last] as Node;
  if (!isMap(item) || item.flow || !isMap(end) || end.flow) throw new UnsafeShape("our step is not a block mapping");
  const dashCol = columnOf(wf.text, dash);
  const style: Style = { itemOffset: Math.max(2, col(wf, firstKey(item)) - dashCol), mapIndent: nestedIndent(wf.text, item) ?? 2, seqIndent: 2 };
  const edit = replaceLines(wf, ourCommentStart(wf.text, firstDash), end, dashCol, stepText, style);
  if (edit === "unchanged") return edit;
  edit.expect = (o) => {
    stepList(o, jobKey).splice(first, last - first + 1, ...(asData(stepText) as unknown[]));
    return o;
  };
  return edit;
}

/** Replace our image-scan job (with its comment) in place. */
export function replaceJob(wf: Workflow, jobKey: string, jobText: string): Edit | "unchanged" {
  const e = editableJobs(wf);
  if ("unsafe" in e) throw new UnsafeShape(`${e.unsafe} (line ${e.line})`);
  const pair = e.map.items.find((p) => isScalar(p.key) && p.key.value === jobKey) as Pair<Node, Node>;
  const J = col(wf, pair.key);
  // Our job's own indentation, so that a second run reproduces it byte for byte.
  const style = jobStyle(wf, [pair], J);
  const edit = replaceLines(wf, ourCommentStart(wf.text, pair.key.range?.[0] ?? 0), lastNode(pair), J, jobText, style);
  if (edit === "unchanged") return edit;
  const key = Object.keys(asData(jobText) as object)[0] as string;
  edit.expect = (o) => {
    const jobs = o["jobs"] as Record<string, unknown>;
    delete jobs[jobKey];
    jobs[key] = (asData(jobText) as Record<string, unknown>)[key];
    return o;
  };
  return edit;
}

function stepList(o: Record<string, unknown>, jobKey: string): unknown[] {
  const job = (o["jobs"] as Record<string, Record<string, unknown>>)[jobKey];
  return job?.["steps"] as unknown[];
}

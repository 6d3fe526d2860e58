import { createTwoFilesPatch, diffLines } from "diff";
import type { Plan } from "../plan/index.js";
import type { FileChange, Finding } from "../types.js";
import { paint, PLAIN, severityLabel, wrap, type Style } from "./style.js";

const LABEL: Record<FileChange["action"], string> = {
  create: "create",
  update: "update",
  unchanged: "unchanged",
  conflict: "CONFLICT",
  skip: "skip",
  delete: "delete",
};

/**
 * Lines added and removed, for the plan summary. The lines both texts start and end with are left out
 * before diffing: a minimal diff keeps them anyway (a longest common subsequence can always include a
 * common prefix and suffix), so the counts are the same, and a step added to a 5,000-step workflow is
 * a diff of a few lines, not of 20,000 (issue 19).
 */
export function lineCounts(before = "", after = ""): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  const [a, b] = differingLines(before, after);
  for (const part of diffLines(a, b)) {
    if (part.added) added += part.count ?? 0;
    if (part.removed) removed += part.count ?? 0;
  }
  return { added, removed };
}

/**
 * `a` and `b` without the whole lines they share at the start and at the end (a line is its text and
 * its `\n`; a last line without one differs from the same text with one, as diffLines sees them).
 */
export function differingLines(a: string, b: string): [string, string] {
  if (a === b) return ["", ""];
  const shorter = Math.min(a.length, b.length);
  let i = 0;
  while (i < shorter && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // Back to the start of the line where they first differ: everything before it is whole lines of both.
  const start = i === 0 ? 0 : a.lastIndexOf("\n", i - 1) + 1; // (lastIndexOf clamps -1 to 0)
  let j = 0;
  while (j < shorter - start && a.charCodeAt(a.length - 1 - j) === b.charCodeAt(b.length - 1 - j)) j++;
  // The shared tail counts from a line start in both texts, or from the first line break inside it.
  const atLineStart = (s: string, p: number) => p === start || s.charCodeAt(p - 1) === 10;
  let tail = j;
  if (!(atLineStart(a, a.length - j) && atLineStart(b, b.length - j))) {
    const nl = a.indexOf("\n", a.length - j);
    tail = nl < 0 ? 0 : a.length - nl - 1;
  }
  return [a.slice(start, a.length - tail), b.slice(start, b.length - tail)];
}

export function renderDiff(change: FileChange, style: Style = PLAIN): string {
  const before = change.before ?? "";
  const after = change.action === "conflict" && change.after === change.before ? (change.notes?.[0] ?? "") : (change.after ?? "");
  const to = change.action === "delete" ? "/dev/null" : `b/${change.path}`;
  const patch = createTwoFilesPatch(change.before === undefined ? "/dev/null" : `a/${change.path}`, to, before, after, "", "", { context: 3 });
  return style.color ? patch.split("\n").map((l) => colourDiffLine(style, l)).join("\n") : patch;
}

/** git's colours: headers bold, hunks cyan, additions green, removals red. */
function colourDiffLine(style: Style, line: string): string {
  if (/^(\+\+\+|---|={5,}|Index:)/.test(line)) return paint(style, "bold", line);
  if (line.startsWith("@@")) return paint(style, "cyan", line);
  if (line.startsWith("+")) return paint(style, "green", line);
  if (line.startsWith("-")) return paint(style, "red", line);
  return line;
}

const ACTION_FORMAT: Partial<Record<FileChange["action"], Parameters<typeof paint>[1]>> = { create: "green", update: "yellow", conflict: "red", delete: "red", unchanged: "dim", skip: "dim" };

/** The plan as the user reads it: one line a file, notes, and the diffs when asked for. */
export function renderPlan(plan: Plan, opts: { diffs: boolean; style?: Style }): string {
  const style = opts.style ?? PLAIN;
  const lines: string[] = [];
  const width = Math.max(...plan.changes.map((c) => c.path.length), 10);
  for (const c of plan.changes) {
    const { added, removed } = lineCounts(c.before, c.after);
    const written = c.action === "update" || (c.action === "conflict" && c.after !== c.before);
    const counts = c.action === "create" ? `+${added}` : written ? `+${added} -${removed}` : c.action === "delete" ? `-${removed}` : "";
    const label = LABEL[c.action].padEnd(9);
    const row = wrap(`  ${label} ${c.path.padEnd(width)}  ${counts.padEnd(10)} ${c.reason ?? ""}`.trimEnd(), style.width, 12);
    lines.push(style.color ? row.replace(label, paint(style, ACTION_FORMAT[c.action] ?? "reset", label)) : row);
    for (const note of c.action === "conflict" ? [] : (c.notes ?? [])) lines.push(wrap(`  ${" ".repeat(9)} - ${note}`, style.width, 14));
  }
  if (plan.notes.length) lines.push("", ...plan.notes.map((n) => `  note: ${n}`));
  if (opts.diffs) {
    for (const c of plan.changes) if (c.action !== "unchanged" && c.action !== "skip") lines.push("", renderDiff(c, style).trimEnd());
  }
  return lines.join("\n");
}

/** One finding a line (wrapped to the style's width, continuation lines under the text), severity coloured and marked. */
export function renderFindings(findings: Finding[], style: Style = PLAIN): string {
  return findings
    .map((f) => {
      const label = severityLabel({ ...style, color: false }, f.severity);
      const text = wrap(`  ${label} ${f.file}${f.line ? `:${f.line}` : ""}  ${f.rule}: ${f.message}${f.hint ? ` (${f.hint})` : ""}`, style.width, label.length + 3);
      return style.color ? text.replace(label, severityLabel(style, f.severity)) : text;
    })
    .join("\n");
}

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

/** Lines added and removed, for the plan summary. */
export function lineCounts(before = "", after = ""): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const part of diffLines(before, after)) {
    if (part.added) added += part.count ?? 0;
    if (part.removed) removed += part.count ?? 0;
  }
  return { added, removed };
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

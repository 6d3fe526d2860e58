import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from "yaml";
import { shown } from "../fsguard.js";
import type { Finding } from "../types.js";
import { isPast, parseDay } from "./dates.js";
import { TODO } from "./trivyignore.js";
import { implausibleIdReason } from "./vuln-id.js";

const WHY = /^#\s*WHY\s*:\s*(.*)$/i;

/**
 * Lint a `.grype.yaml` (`--scanner grype`): every rule under `ignore:` names one `vulnerability:` and
 * has a `# WHY:` line and a `# TODO(YYYY-MM-DD):` line in the comment block directly above it (or
 * between its keys). Grype's own `reason:` may carry the WHY (and the TODO) instead. Grype has no
 * expiry, so the TODO date is the expiry: from midnight UTC on that date the entry is an error, the
 * same instant a `.trivyignore` `exp:` stops suppressing. Invalid YAML is an error: Grype cannot load
 * its configuration, and the scan fails.
 */
export function lintGrypeIgnore(path: string, text: string, now: Date): Finding[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const findings: Finding[] = [];
  const add = (rule: string, severity: Finding["severity"], line: number | undefined, message: string, hint?: string) =>
    findings.push({ file: path, ...(line === undefined ? {} : { line }), rule: `grype-ignore/${rule}`, severity, message, ...(hint ? { hint } : {}) });
  const lineOf = (node: Node | null | undefined): number | undefined => (node?.range ? lc.linePos(node.range[0]).line : undefined);

  const [syntax] = doc.errors;
  if (syntax) {
    add("yaml", "error", syntax.linePos?.[0].line, `invalid YAML, Grype cannot load its configuration and the scan fails: ${shown(syntax.message.split("\n")[0] ?? "")}`);
    return findings;
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return findings;
  if (!isMap(root)) {
    add("yaml", "error", lineOf(root), "the top level must be a mapping (Grype's configuration, with the rules under `ignore:`)");
    return findings;
  }
  const list = root.get("ignore", true) as Node | null | undefined;
  if (list === undefined || list === null || (isScalar(list) && list.value === null)) return findings;
  if (!isSeq(list)) {
    add("yaml", "error", lineOf(list), "`ignore` must be a list of rules (`- vulnerability: CVE-...`); Grype fails to load the file");
    return findings;
  }

  const lines = text.split(/\r\n|\r|\n/);
  for (const item of list.items as Node[]) {
    const line = lineOf(item);
    if (!isMap(item)) {
      add("yaml", "error", line, "each ignore rule must be a mapping with at least `vulnerability:`");
      continue;
    }
    const at = line ?? 1;
    const scalar = (key: string): string | undefined => {
      const node = item.get(key, true) as Node | undefined;
      return isScalar(node) && node.value !== null ? String(node.value) : undefined;
    };
    const id = scalar("vulnerability")?.trim() ?? "";
    // Foreign text reaches messages only as a bounded prefix (a pull request can add this file).
    const name = id ? shown(id) : "rule";
    // Comments only mean something next to an entry in a block list; a flow list ([...]) has none of its own.
    const comments = list.flow ? [] : commentsOf(item, at, lines, lc);
    const reason = scalar("reason");
    const whyLine = comments.map((c) => WHY.exec(c)?.[1]).filter((w): w is string => w !== undefined).pop();
    const why = whyLine ?? reason;
    const todoComment = comments.filter((c) => /^#\s*TODO\b/i.test(c)).pop();
    const todo = todoComment !== undefined ? (TODO.exec(todoComment)?.[1] ?? "") : reason !== undefined ? TODO.exec(reason)?.[1] : undefined;

    if (id === "") {
      add(
        "vulnerability",
        "error",
        at,
        "an ignore rule without `vulnerability:` hides every match its other fields select (a whole package, a fix state, or everything); name the one vulnerability it accepts",
        "- vulnerability: CVE-YYYY-NNNNN",
      );
    } else {
      const problem = implausibleIdReason(id, "Grype");
      if (problem) add("id", "error", at, problem);
    }

    if (why === undefined) {
      add("why", "error", at, `${name}: no # WHY: saying why it is ignored`, "add `# WHY: <reason>` in the comment block directly above the entry (or Grype's `reason:`)");
    } else if (why.trim() === "") {
      add("why", "error", at, `${name}: # WHY: is empty`);
    }

    const todoMs = todo === undefined ? undefined : parseDay(todo.trim());
    if (todo === undefined) {
      add("todo", "error", at, `${name}: no TODO(YYYY-MM-DD) date; Grype has no expiry, so without it the entry suppresses the finding forever`, "add `# TODO(YYYY-MM-DD): <what to check>` directly above the entry");
    } else if (todoMs === undefined) {
      add("todo", "error", at, todo.trim() === "" ? `${name}: TODO has no (YYYY-MM-DD) date` : `${name}: TODO date "${shown(todo)}" is not a valid YYYY-MM-DD date`);
    } else if (isPast(todoMs, now)) {
      add(
        "expired",
        "error",
        at,
        `${name}: its TODO date ${shown(todo.trim())} has passed (00:00 UTC on that date). Grype has no expiry of its own and still suppresses the finding; fix it and remove the entry, or renew it with a new WHY and date`,
      );
    }
  }
  return findings;
}

/** The full-line comments directly above the entry (no blank line between) and between its keys. */
function commentsOf(item: YAMLMap, line: number, lines: string[], lc: LineCounter): string[] {
  const above: string[] = [];
  for (let i = line - 2; i >= 0 && (lines[i] ?? "").trim().startsWith("#"); i--) above.unshift((lines[i] ?? "").trim());
  // Inside the entry only up to its last value: comments after it already belong to the next entry.
  const last = item.items.at(-1)?.value as Node | null | undefined;
  const end = last?.range ? lc.linePos(Math.max(last.range[0], last.range[1] - 1)).line : line;
  const inside: string[] = [];
  for (let i = line; i < end; i++) {
    const t = (lines[i] ?? "").trim();
    if (t.startsWith("#")) inside.push(t);
  }
  return [...above, ...inside];
}

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from "yaml";
import { shown } from "../fsguard.js";
import type { Finding } from "../types.js";
import { checkEntry, TODO, type IgnoreEntry, type TrivyignoreLintOptions } from "./trivyignore.js";

/** The lists Trivy reads from `.trivyignore.yaml`, and whether their IDs are vulnerability IDs. */
const LISTS: Record<string, boolean> = { vulnerabilities: true, misconfigurations: false, secrets: false, licenses: false };

/**
 * Lint a `.trivyignore.yaml` (Trivy reads it only when passed with `--ignorefile`): `statement`
 * plays WHY, `expired_at` plays `exp:` and is required, and a `TODO(YYYY-MM-DD)` revisit date goes in
 * the statement or in a comment directly above the entry. Invalid YAML is an error: Trivy stops on it.
 */
export function lintTrivyignoreYaml(path: string, text: string, now: Date, opts: TrivyignoreLintOptions = {}): Finding[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const error = (line: number | undefined, message: string, rule = "trivyignore/yaml"): Finding => ({
    file: path,
    ...(line === undefined ? {} : { line }),
    rule,
    severity: "error",
    message,
  });
  const [syntax] = doc.errors; // the first one: the rest usually follow from it, and Trivy stops there
  if (syntax) return [error(syntax.linePos?.[0].line, `invalid YAML, Trivy stops with a fatal error: ${shown(syntax.message.split("\n")[0] ?? "")}`)];
  const lineOf = (node: Node | null | undefined): number | undefined => (node?.range ? lc.linePos(node.range[0]).line : undefined);
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return [];
  if (!isMap(root)) return [error(lineOf(root), "the top level must be a mapping of vulnerabilities / misconfigurations / secrets / licenses")];

  const lines = text.split(/\r\n|\r|\n/);
  const findings: Finding[] = [];
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const keyLine = lineOf(pair.key as Node);
    const checkId = LISTS[key];
    if (checkId === undefined) {
      findings.push({ file: path, ...(keyLine ? { line: keyLine } : {}), rule: "trivyignore/yaml", severity: "warning", message: `unknown key "${shown(key)}": Trivy ignores it (expected ${Object.keys(LISTS).join(", ")})` });
      continue;
    }
    const list = pair.value as Node | null;
    if (list === null || (isScalar(list) && list.value === null)) continue;
    if (!isSeq(list)) {
      findings.push(error(lineOf(list) ?? keyLine, `${shown(key)} must be a list of entries; Trivy fails to load the file`));
      continue;
    }
    for (const item of list.items as Node[]) {
      if (!isMap(item)) {
        findings.push(error(lineOf(item), `each ${shown(key)} entry must be a mapping with id, statement and expired_at`));
        continue;
      }
      findings.push(...checkEntry(path, entryOf(item, checkId, lines, lc), now, opts, true));
    }
  }
  return findings;
}

function entryOf(item: YAMLMap, checkId: boolean, lines: string[], lc: LineCounter): IgnoreEntry {
  const scalarText = (key: string): string | undefined => {
    const node = item.get(key, true) as Node | undefined;
    if (!isScalar(node) || node.value === null) return undefined;
    return String(node.value);
  };
  const line = item.range ? lc.linePos(item.range[0]).line : 1;
  const expNode = item.get("expired_at", true) as Node | undefined;
  const statement = scalarText("statement");
  const todo = TODO.exec(statement ?? "")?.[1] ?? todoInComments(item, line, lines, lc);
  return {
    id: scalarText("id") ?? "",
    line,
    why: statement,
    todo,
    exp: scalarText("expired_at"),
    expLine: expNode?.range ? lc.linePos(expNode.range[0]).line : line,
    checkId,
  };
}

/** A `# TODO(...)` in the comment lines directly above the entry or between its keys. */
function todoInComments(item: YAMLMap, line: number, lines: string[], lc: LineCounter): string | undefined {
  const comments: string[] = [];
  for (let i = line - 2; i >= 0 && (lines[i] ?? "").trim().startsWith("#"); i--) comments.push((lines[i] ?? "").trim());
  // Inside the entry only up to its last value: comments after it already belong to the next entry.
  const last = item.items.at(-1)?.value as Node | null | undefined;
  const end = last?.range ? lc.linePos(Math.max(last.range[0], last.range[1] - 1)).line : line;
  for (let i = line - 1; i < end; i++) {
    const c = /#.*$/.exec(lines[i] ?? "")?.[0];
    if (c && /^\s*(-\s*)?#/.test(lines[i] ?? "")) comments.push(c);
  }
  for (const c of comments) {
    if (/^#\s*TODO\b/i.test(c)) return TODO.exec(c)?.[1] ?? "";
  }
  return undefined;
}

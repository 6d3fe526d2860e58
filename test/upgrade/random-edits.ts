import fc from "fast-check";
import { parseError } from "../../src/plan/owned.js";

export { planAndApply } from "./support.js";

/**
 * Random maintainer edits for the upgrade properties: insert, delete and change lines, add comments,
 * switch to CRLF. An edit that would make a YAML or JSON file stop parsing is dropped (a maintainer
 * commits files that work), so the property can ask the result to parse too. Every line an edit adds
 * carries a unique token, to look for afterwards.
 */
export type Kind = "yaml" | "json" | "text";
type Op = { op: "insert" | "delete" | "change" | "comment"; at: number; block: boolean };

export interface EditPlan {
  ops: Op[];
  crlf: boolean;
  apply(text: string, path: string): { text: string; tokens: string[] };
}

const op: fc.Arbitrary<Op> = fc.record({
  op: fc.constantFrom("insert", "delete", "change", "comment"),
  at: fc.nat(),
  block: fc.boolean(),
});

export function randomEdits(kind: Kind): fc.Arbitrary<EditPlan> {
  return fc.record({ ops: fc.array(op, { maxLength: 6 }), crlf: fc.boolean() }).map(({ ops, crlf }) => ({
    ops,
    crlf,
    apply: (text: string, path: string) => applyEdits(kind, text, path, ops, crlf),
    toString: () => `${kind} ${JSON.stringify({ ops, crlf })}`,
  }));
}

const indentOf = (line: string) => /^ */.exec(line)?.[0] ?? "";

function applyEdits(kind: Kind, text: string, path: string, ops: Op[], crlf: boolean): { text: string; tokens: string[] } {
  let lines = text.split("\n");
  const finalNewline = lines.at(-1) === "";
  if (finalNewline) lines.pop();
  const tokens: string[] = [];
  ops.forEach((o, k) => {
    const token = `user-edit-${path.replace(/\W/g, "")}-${k}`;
    const at = lines.length === 0 ? 0 : o.at % lines.length;
    const line = lines[at] ?? "";
    const nextIndent = indentOf(lines.slice(at).find((l) => l.trim() !== "") ?? "");
    let next = [...lines];
    let added = true;
    if (o.op === "delete") {
      next.splice(at, 1);
      added = false;
    } else if (kind === "text") {
      if (o.op === "change") next[at] = `# ${token} (was: ${line})`;
      else if (o.block) next.splice(at, 0, `# WHY: ${token}: not reachable from the service.`, "# TODO(2027-06-30): look again.", `CVE-2026-${10000 + k} exp:2027-06-30`);
      else next.splice(at, 0, `# ${token}`);
    } else if (kind === "yaml") {
      if (o.op === "change") next[at] = `${line} # ${token}`;
      else next.splice(at, 0, `${nextIndent}# ${token}`);
    } else {
      const open = lines.findIndex((l, i) => i >= at && /\{\s*$/.test(l));
      const str = /"(?:[^"\\]|\\.)*"(?=[^"]*$)/;
      if ((o.op === "insert" || o.op === "comment") && open >= 0) next.splice(open + 1, 0, `${indentOf(lines[open] ?? "")}  "x-${token}": true,`);
      else if (str.test(line)) next[at] = line.replace(str, `"${token}"`);
      else added = false;
    }
    const candidate = next.join("\n") + (finalNewline ? "\n" : "");
    if (kind !== "text" && parseError(path, candidate) !== undefined) return; // a maintainer would not commit that
    lines = next;
    if (added) tokens.push(token);
  });
  let out = lines.join("\n") + (finalNewline ? "\n" : "");
  if (crlf) out = out.replace(/\n/g, "\r\n");
  // A token whose line was deleted by a later op is not the user's any more.
  return { text: out, tokens: tokens.filter((t) => out.includes(t)) };
}

import { isDeepStrictEqual } from "node:util";
import { parseDocument } from "yaml";
import { VERSION_COMMENT } from "../validate/pins.js";
import type { Site } from "./sites.js";

/** One `uses:` to rewrite: the new text for its ref (or image), and the version its comment must name. */
export interface PinEdit {
  site: Site;
  ref: string;
  /** Absent for `docker://` (the tag stays in the value). */
  version?: string;
}

interface Splice {
  at: number;
  end: number;
  text: string;
}

/**
 * Splice the edits into `text` at source offsets: the ref after `@`, and the version in the same-line
 * comment (its version token replaced, or put in front of a comment that names none, or ` # vX.Y.Z`
 * added after the value). Nothing else moves: quotes, spacing, line endings and every other byte stay.
 */
export function applyPins(text: string, edits: PinEdit[]): string {
  const splices: Splice[] = [];
  for (const e of edits) {
    const { site } = e;
    splices.push({ at: site.refRange[0], end: site.refRange[1], text: e.ref });
    if (e.version === undefined) continue;
    if (!site.comment) splices.push({ at: site.valueEnd, end: site.valueEnd, text: ` # ${e.version}` });
    else {
      const [from, to] = site.comment.range;
      const raw = site.comment.text;
      const lead = raw.length - raw.trimStart().length;
      const m = VERSION_COMMENT.exec(raw.trimStart());
      if (m?.[1]) {
        const at = from + lead + m[0].indexOf(m[1]);
        splices.push({ at, end: at + m[1].length, text: e.version });
      } else splices.push({ at: from, end: to, text: ` ${e.version}${raw.trim() ? ` ${raw.trim()}` : ""}` });
    }
  }
  splices.sort((a, b) => a.at - b.at);
  let out = "";
  let pos = 0;
  for (const s of splices) {
    if (s.at < pos) throw new Error(`internal: overlapping pin edits at offset ${s.at}`);
    out += text.slice(pos, s.at) + s.text;
    pos = s.end;
  }
  return out + text.slice(pos);
}

/**
 * The check after the splice (STYLE.md principle 7): the result parses, equals the original as data
 * except the `uses:` values we rewrote, and only the lines of those `uses:` changed, from the value on.
 * A failure is our bug: it throws, and nothing is written.
 */
export function verifyPins(before: string, after: string, edits: PinEdit[]): void {
  const fail = (why: string) => {
    throw new Error(`internal: pinning ${edits[0]?.site.file ?? ""} failed its own check (${why}); nothing was written`);
  };
  const a = parseDocument(before);
  const b = parseDocument(after);
  if (b.errors.length > 0) fail(`the result does not parse: ${b.errors[0]?.message.split("\n")[0]}`);
  const renamed = new Map(edits.map((e) => [e.site.value, newValue(e)]));
  if (!sameExceptUses(a.toJS({ maxAliasCount: 1000 }), b.toJS({ maxAliasCount: 1000 }), renamed)) fail("the workflow changed beyond the uses: values");
  const [x, y] = [before.split("\n"), after.split("\n")];
  if (x.length !== y.length) fail("the number of lines changed");
  const starts = new Map(edits.map((e) => [lineOf(before, e.site.valueEnd), e.site.refRange[0] - lineStartOf(before, e.site.refRange[0])]));
  x.forEach((line, i) => {
    if (line === y[i]) return;
    const col = starts.get(i);
    if (col === undefined) fail(`line ${i + 1} changed`);
    else if ((y[i] ?? "").slice(0, col) !== line.slice(0, col) || line.endsWith("\r") !== (y[i] ?? "").endsWith("\r")) fail(`line ${i + 1} changed before the ref or at its end`);
  });
}

export function newValue(e: PinEdit): string {
  const v = e.site.value;
  return e.site.target.kind === "docker" ? `docker://${e.ref}` : `${v.slice(0, v.lastIndexOf("@") + 1)}${e.ref}`;
}

function sameExceptUses(a: unknown, b: unknown, renamed: Map<string, string>, key?: string): boolean {
  if (key === "uses" && typeof a === "string" && typeof b === "string") return a === b || renamed.get(a.trim()) === b.trim();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameExceptUses(x, b[i], renamed));
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    return isDeepStrictEqual(ka, Object.keys(b)) && ka.every((k) => sameExceptUses((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], renamed, k));
  }
  return isDeepStrictEqual(a, b);
}

const lineOf = (text: string, at: number) => text.slice(0, at).split("\n").length - 1;
const lineStartOf = (text: string, at: number) => text.lastIndexOf("\n", at - 1) + 1;

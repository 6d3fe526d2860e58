import { isDeepStrictEqual } from "node:util";
import { parseYamlOnce } from "../yaml-once.js";

/**
 * The check after every splice (issue 3, "Change nothing else"): the result parses, equals the original
 * plus exactly our change as data, keeps every line the user wrote in order (except the lines of our own
 * old step when we replace it), and keeps the line endings and the presence of a final newline. A failure
 * is a bug in the gate, never the user's fault: it throws, and the caller writes nothing.
 */
export interface EditCheck {
  before: string;
  after: string;
  /** The original as data -> what the result must be as data. */
  expect(original: Record<string, unknown>): unknown;
  /** Offsets in `before` of whole lines we replaced (our own old step or job). */
  replaced?: [number, number];
}

export function verifyEdit(check: EditCheck): void {
  const { before, after } = check;
  const fail = (why: string) => {
    throw new Error(`internal: the gate's edit failed its own check (${why}); nothing was written`);
  };
  // Both parses are shared (yaml-once.ts): the plan parsed `before`, and validate reads `after` again.
  const original = parseYamlOnce(before);
  const result = parseYamlOnce(after);
  if (result.doc.errors.length > 0) fail(`the result does not parse: ${result.doc.errors[0]?.message.split("\n")[0]}`);
  const want = check.expect(structuredClone(original.data() as Record<string, unknown>));
  const got: unknown = result.data();
  if (!isDeepStrictEqual(got, want)) fail(`the result differs from the original plus our change at ${firstDifference(got, want)}`);

  const [from, to] = check.replaced ?? [0, 0];
  const keptText = before.slice(0, from) + before.slice(to);
  const kept = keptText.split("\n").map((l) => l.replace(/\r$/, ""));
  // Our old lines ran to the end of a file without a final newline: the "line" after the last kept break is not one.
  if (check.replaced && to === before.length && from > 0 && keptText.endsWith("\n")) kept.pop();
  const lines = after.split("\n").map((l) => l.replace(/\r$/, ""));
  let j = 0;
  for (const [n, line] of kept.entries()) {
    while (j < lines.length && lines[j] !== line) j++;
    if (j === lines.length) fail(`line ${n + 1} of the original (${JSON.stringify(line)}) is missing or out of order`);
    j++;
  }
  const bareLf = (s: string) => /(^|[^\r])\n/.test(s);
  if (before.includes("\r\n") && !bareLf(before) && bareLf(after)) fail("a LF line ending in a CRLF file");
  if (!before.includes("\r") && after.includes("\r")) fail("a CR in a LF file");
  if (before.length > 0 && before.endsWith("\n") !== after.endsWith("\n")) fail("the final newline changed");
}

function firstDifference(a: unknown, b: unknown, path = "$"): string {
  if (isDeepStrictEqual(a, b)) return "";
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return path;
}

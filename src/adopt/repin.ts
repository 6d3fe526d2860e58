import { isDeepStrictEqual } from "node:util";
import { parseDocument } from "yaml";
import type { PinsData } from "../pins.js";
import type { Spotted } from "./detect.js";
import { REPIN_ACTIONS } from "./patterns.js";

/** One `uses:` line `--adopt` rewrites, for the plan: the line before and after. */
export interface Repin {
  line: number;
  before: string;
  after: string;
}

/** Our pin for a tracked action we re-pin, as a `uses:` value with its same-line version comment. */
export function repinValue(spot: Spotted, pins: PinsData): string | undefined {
  const action = spot.pin?.action;
  if (!action || !(REPIN_ACTIONS as readonly string[]).includes(action.toLowerCase())) return undefined;
  const pin = pins.actions[action.toLowerCase()];
  return pin ? `${action}@${pin.sha} # ${pin.tag}` : undefined;
}

/**
 * Rewrite only the `uses:` lines of tracked bare-SHA pins to `owner/repo@<sha> # <tag>` from our pins:
 * one splice per line, from the value to the end of its line (STYLE.md principle 7). Then re-parse and
 * check that the workflow equals the original except those `uses:` values, and that no other line moved;
 * a failure is our bug, so it throws and nothing is written.
 */
export function repinTracked(text: string, spotted: Spotted[], pins: PinsData): { text: string; repins: Repin[] } {
  const todo = spotted.flatMap((s) => {
    const value = repinValue(s, pins);
    return s.pin && value ? [{ pin: s.pin, value, line: s.line }] : [];
  });
  if (todo.length === 0) return { text, repins: [] };
  let out = "";
  let pos = 0;
  for (const t of [...todo].sort((a, b) => a.pin.start - b.pin.start)) {
    out += text.slice(pos, t.pin.start) + t.value;
    pos = t.pin.end;
  }
  out += text.slice(pos);

  const fail = (why: string) => {
    throw new Error(`internal: re-pinning failed its own check (${why}); nothing was written`);
  };
  const before = parseDocument(text).toJS({ maxAliasCount: 1000 }) as { jobs: Record<string, { steps: Record<string, unknown>[] }> };
  const result = parseDocument(out);
  if (result.errors.length > 0) fail(`the result does not parse: ${result.errors[0]?.message.split("\n")[0]}`);
  for (const t of todo) {
    const step = before.jobs[t.pin.jobKey]?.steps[t.pin.index];
    if (!step) fail(`no step ${t.pin.jobKey}[${t.pin.index}]`);
    else step["uses"] = t.value.replace(/\s+#.*$/, "");
  }
  if (!isDeepStrictEqual(result.toJS({ maxAliasCount: 1000 }), before)) fail("the workflow changed beyond the uses: values");
  const [a, b] = [text.split("\n"), out.split("\n")];
  if (a.length !== b.length) fail("the number of lines changed");
  const changed = new Set(todo.map((t) => t.line - 1));
  const repins: Repin[] = [];
  a.forEach((line, i) => {
    if (line === b[i]) return;
    if (!changed.has(i)) fail(`line ${i + 1} changed`);
    repins.push({ line: i + 1, before: line.replace(/\r$/, ""), after: (b[i] ?? "").replace(/\r$/, "") });
  });
  return { text: out, repins };
}

import { CANCEL, execProgram, type Deps, type Prompter } from "../../src/deps.js";
import type { InitOptions } from "../../src/run.js";

type Answer = string | boolean | typeof CANCEL;

/**
 * Deps for driving the pipeline in-process: prompts answered from a script, in order, each question
 * recorded with the value it was pre-filled with; output captured; a fixed clock.
 */
export function scriptedDeps(script: Answer[], now = new Date("2026-11-27T12:00:00Z")) {
  const asked: { kind: string; message: string; initial?: unknown }[] = [];
  const out: string[] = [];
  const next = (kind: string, message: string, initial?: unknown) => {
    asked.push({ kind, message, initial });
    if (script.length === 0) throw new Error(`unexpected prompt: ${message}`);
    return script.shift() as never;
  };
  const prompts: Prompter = {
    text: async (q) => next("text", q.message, q.initialValue),
    select: async (q) => next("select", q.message, q.initialValue),
    confirm: async (q) => next("confirm", q.message, q.initialValue),
  };
  const deps: Deps = { exec: execProgram, prompts, now: () => now, env: {}, out: (t) => out.push(t), err: (t) => out.push(t) };
  return { deps, asked, out, remaining: script };
}

/** Options for `runInit` as `--yes` gives them; `over` changes any. */
export const initOptions = (dir: string, over: Partial<InitOptions> = {}): InitOptions => ({
  dir,
  mode: "yes",
  flags: {},
  dryRun: false,
  json: false,
  diff: false,
  restore: false,
  onConflict: "markers",
  allowDirty: false,
  ...over,
});

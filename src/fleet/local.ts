import type { Deps } from "../deps.js";
import { loadPins } from "../pins.js";
import { fastGitDeps } from "./git-fast.js";
import { repoState, type FleetResult } from "./state.js";

/**
 * `fleet --local DIR...`: every clone checked in this one process, one after another. The check is CPU
 * work on small files (parse, render, diff), so on two cores a second process buys little and costs a
 * Node start (~50 ms) and the templates compiled again; the pins and the templates are loaded once here.
 * Progress goes to `deps.err` (stderr), at most a line per 5% so a terminal or a CI log stays readable.
 */
export async function checkLocal(dirs: string[], deps: Deps, opts: { progress: boolean }): Promise<FleetResult[]> {
  const pins = loadPins();
  const fast = fastGitDeps(deps);
  const results: FleetResult[] = [];
  const step = Math.max(1, Math.ceil(dirs.length / 20));
  for (const [i, dir] of dirs.entries()) {
    results.push(await repoState(dir, fast, pins));
    if (opts.progress && ((i + 1) % step === 0 || i + 1 === dirs.length)) deps.err(`fleet: ${i + 1}/${dirs.length} checked`);
  }
  return results;
}

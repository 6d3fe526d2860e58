/** Running the generated steps (their `run:` text and `env:`) the way a runner does, asynchronously. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { execa } from "execa";
import { parse } from "yaml";

export type Step = { id?: string; name?: string; uses?: string; if?: string; env?: Record<string, unknown>; with?: Record<string, unknown>; run?: string };

/** `${{ runner.temp }}` as the runner expands it; any other expression left in a value is a test bug. */
export function expand(value: unknown, runnerTemp: string): string {
  const s = typeof value === "string" ? value : String(value);
  const out = s.replaceAll("${{ runner.temp }}", runnerTemp);
  if (out.includes("${{")) throw new Error(`unexpanded expression in ${JSON.stringify(s)}`);
  return out;
}

export const stepById = (steps: Step[], id: string): Step => {
  const s = steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step with id ${id}`);
  return s;
};

/** Can this machine run a command without any network (a new, empty network namespace)? */
export const canUnshareNet = spawnSync("unshare", ["-rn", "true"]).status === 0;

export interface StepRun {
  exitCode: number;
  output: string;
  /** What the step wrote to $GITHUB_OUTPUT, as key -> value. */
  outputs: Record<string, string>;
}

/**
 * `bash -e` on the step's `run:` text with its `env:` (expanded), `over` on top, PATH = `bin` first.
 * `noNetwork`: inside an empty network namespace (unshare -rn), or, where that is not allowed, with
 * every HTTP(S) request sent to a proxy port nobody listens on.
 */
export async function runRunStep(step: Step, opts: { runnerTemp: string; bin: string; cwd: string; over?: Record<string, string>; noNetwork?: boolean }): Promise<StepRun> {
  if (step.run === undefined) throw new Error(`step ${step.id ?? step.name} has no run:`);
  const dir = join(opts.runnerTemp, "_steps");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${step.id ?? "step"}-${Date.now()}-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, step.run);
  const githubOutput = `${file}.out`;
  writeFileSync(githubOutput, "");
  const env: Record<string, string> = {
    PATH: `${opts.bin}:/usr/local/bin:/usr/bin:/bin`,
    HOME: join(opts.runnerTemp, "home"),
    LANG: "C.UTF-8",
    GITHUB_OUTPUT: githubOutput,
    RUNNER_TEMP: opts.runnerTemp,
  };
  for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expand(v, opts.runnerTemp);
  Object.assign(env, opts.over ?? {});
  if (opts.noNetwork && !canUnshareNet) Object.assign(env, { HTTPS_PROXY: "http://127.0.0.1:9", HTTP_PROXY: "http://127.0.0.1:9", NO_PROXY: "" });
  mkdirSync(env.HOME ?? "", { recursive: true });
  const [cmd, args] = opts.noNetwork && canUnshareNet ? ["unshare", ["-rn", "bash", "-e", file]] : ["bash", ["-e", file]];
  const r = await execa(cmd as string, args as string[], { cwd: opts.cwd, env, extendEnv: false, reject: false, all: true, timeout: 240_000 });
  const outputs: Record<string, string> = {};
  for (const line of readFileSync(githubOutput, "utf8").split("\n")) {
    const m = /^([^=]+)=(.*)$/.exec(line);
    if (m) outputs[m[1] as string] = m[2] as string;
  }
  return { exitCode: r.exitCode ?? -1, output: r.all ?? "", outputs };
}

/**
 * The steps of a composite action as the runner runs them for `caller` (a step that `uses:` it):
 * every `${{ inputs.NAME }}` in their `env:` and `with:` becomes the caller's `with.NAME`, else the
 * input's default, as GitHub fills them. Other expressions (`runner.temp`, `github.run_id`) stay.
 */
export function actionSteps(actionText: string, caller: Step): Step[] {
  const action = parse(actionText) as { inputs?: Record<string, { default?: unknown; required?: boolean }>; runs: { using: string; steps: Step[] } };
  if (action.runs.using !== "composite") throw new Error(`not a composite action: ${action.runs.using}`);
  const given = caller.with ?? {};
  const value = (name: string): string => {
    if (given[name] !== undefined) return String(given[name]);
    const input = action.inputs?.[name];
    if (!input) throw new Error(`the action has no input ${name}`);
    if (input.default === undefined && input.required) throw new Error(`required input ${name} not given by the caller`);
    return input.default === undefined ? "" : String(input.default);
  };
  for (const name of Object.keys(given)) if (!action.inputs?.[name]) throw new Error(`the caller passes ${name}, which the action does not declare`);
  const fill = (map: Record<string, unknown> | undefined) =>
    map && Object.fromEntries(Object.entries(map).map(([k, v]) => [k, typeof v === "string" ? v.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_m, n: string) => value(n)) : v]));
  return action.runs.steps.map((s) => ({ ...s, ...(s.env ? { env: fill(s.env) } : {}), ...(s.with ? { with: fill(s.with) } : {}) }));
}

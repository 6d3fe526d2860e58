import { onOf } from "./locate.js";

/**
 * Turn an image tag as the shell sees it (`$IMAGE:${TAG}`, `${{ env.IMAGE }}:${{ github.sha }}`) into a
 * value for the trivy-action `image-ref` input, which GitHub expands but no shell does. A shell variable
 * becomes the text it was assigned in the same script, the step's own `env:` value, `${{ env.VAR }}` when
 * the job, the workflow or an earlier `>> $GITHUB_ENV` sets it, or the `github` context for GitHub's
 * default variables. Anything computed by the shell (`$(git rev-parse ...)`, `${VAR:-x}`) is unresolvable:
 * the caller then builds the image in its own job rather than guess a name.
 */

/** Where a variable may come from, innermost first. */
export interface EnvScope {
  script: ReadonlyMap<string, string>;
  step: Record<string, unknown>;
  /** Job env, workflow env and `$GITHUB_ENV` writes of earlier steps: all visible as `${{ env.X }}`. */
  env: Set<string>;
}

// docs.github.com "Variables reference", default environment variables -> the same value in `github`.
const GITHUB_DEFAULTS: Record<string, string> = {
  GITHUB_SHA: "github.sha",
  GITHUB_REF: "github.ref",
  GITHUB_REF_NAME: "github.ref_name",
  GITHUB_HEAD_REF: "github.head_ref",
  GITHUB_BASE_REF: "github.base_ref",
  GITHUB_REPOSITORY: "github.repository",
  GITHUB_REPOSITORY_OWNER: "github.repository_owner",
  GITHUB_RUN_ID: "github.run_id",
  GITHUB_RUN_NUMBER: "github.run_number",
  GITHUB_RUN_ATTEMPT: "github.run_attempt",
  GITHUB_ACTOR: "github.actor",
  GITHUB_EVENT_NAME: "github.event_name",
  GITHUB_JOB: "github.job",
};

/** The expression form of `word`, or undefined when part of it is computed by the shell. */
export function toExpression(word: string, scope: EnvScope, depth = 0): string | undefined {
  if (depth > 8) return undefined;
  let out = "";
  for (let i = 0; i < word.length; ) {
    const rest = word.slice(i);
    if (rest.startsWith("${{")) {
      const end = word.indexOf("}}", i);
      if (end < 0) return undefined;
      out += word.slice(i, end + 2);
      i = end + 2;
      continue;
    }
    if (rest.startsWith("`")) return undefined;
    if (rest.startsWith("$")) {
      const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(rest);
      if (!m) return undefined; // $( ), ${x:-y}, $1, $@ ...
      const name = (m[1] ?? m[2]) as string;
      const value = variable(name, scope, depth);
      if (value === undefined) return undefined;
      out += value;
      i += m[0].length;
      continue;
    }
    out += word[i];
    i++;
  }
  return out;
}

function variable(name: string, scope: EnvScope, depth: number): string | undefined {
  const assigned = scope.script.get(name);
  if (assigned !== undefined) return toExpression(assigned, { ...scope, script: withoutKey(scope.script, name) }, depth + 1);
  const stepValue = scope.step[name];
  if (stepValue !== undefined && stepValue !== null && typeof stepValue !== "object") {
    // A step env value is not shell-expanded; it is what the variable holds (expressions included).
    const text = String(stepValue);
    return /[\r\n]/.test(text) ? undefined : text;
  }
  if (scope.env.has(name)) return `\${{ env.${name} }}`;
  const github = GITHUB_DEFAULTS[name];
  return github ? `\${{ ${github} }}` : undefined;
}

function withoutKey(map: ReadonlyMap<string, string>, key: string): Map<string, string> {
  const copy = new Map(map);
  copy.delete(key);
  return copy;
}

/** Names an earlier step wrote to `$GITHUB_ENV` (`echo "NAME=..." >> "$GITHUB_ENV"`). */
export function githubEnvWrites(script: string): string[] {
  const names: string[] = [];
  for (const line of script.split(/\r?\n/)) {
    if (!/>>\s*"?\$\{?GITHUB_ENV\}?"?/.test(line)) continue;
    for (const m of line.matchAll(/(?:^|[\s"'])([A-Za-z_][A-Za-z0-9_]*)=/g)) names.push(m[1] as string);
  }
  return names;
}

/** The plain string values of an `env:` mapping (expressions and multi-line values left out). */
export function literalEnv(env: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!env || typeof env !== "object" || Array.isArray(env)) return out;
  for (const [k, v] of Object.entries(env)) if ((typeof v === "string" || typeof v === "number") && !/[\r\n]|\$\{\{/.test(String(v))) out[k] = String(v);
  return out;
}

/** Defaults of `workflow_dispatch` / `workflow_call` inputs, for `${{ inputs.X }}` in a path. */
export function inputDefaults(wf: { data: Record<string, unknown> }): Record<string, string> {
  const on = onOf(wf);
  const out: Record<string, string> = {};
  if (!on || typeof on !== "object" || Array.isArray(on)) return out;
  for (const event of ["workflow_dispatch", "workflow_call"]) {
    const inputs = (on as Record<string, { inputs?: Record<string, { default?: unknown }> } | null>)[event]?.inputs;
    for (const [k, v] of Object.entries(inputs ?? {})) if (typeof v?.default === "string" && !(k in out)) out[k] = v.default;
  }
  return out;
}

/**
 * A Dockerfile path or context as the build sees it: the workspace prefix dropped (paths are relative
 * to it), `${{ env.X }}` / `$X` from known literal values, `${{ inputs.X }}` from input defaults. What
 * stays unknown keeps its `$` (the caller then counts the match as "maybe").
 */
export function resolveKnown(value: string, env: Record<string, string>, inputs: Record<string, string>): string {
  return value
    .replace(/^(\$\{\{\s*github\.workspace\s*\}\}|\$\{?GITHUB_WORKSPACE\}?)\/?/, "./")
    .replace(/\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (all, n: string) => env[n] ?? all)
    .replace(/\$\{\{\s*(?:github\.event\.)?inputs\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/g, (all, n: string) => inputs[n] ?? all)
    .replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (all, a?: string, b?: string) => env[(a ?? b) as string] ?? all);
}

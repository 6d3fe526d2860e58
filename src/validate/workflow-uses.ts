import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Scalar, type YAMLMap } from "yaml";
import { parseYamlOnce } from "../yaml-once.js";

/** One `uses:` in a workflow (job-level reusable workflow or step) or a composite action. */
export interface UsesSite {
  file: string;
  line: number;
  column: number;
  /** The `uses:` value as written. */
  value: string;
  /** The comment on the same line after the value, without `#`; undefined when there is none. */
  comment?: string;
  /** The comment line directly above, without `#` (people put `# v1.2.3` there; Renovate does not read it). */
  commentAbove?: string;
  /** The step's `with.version`, resolved through `env` when it is a plain `${{ env.X }}`. */
  version?: { value: string; line: number };
  /** Source offsets of the value as written (quotes included), for edits that keep every other byte (`pin`). */
  range: [number, number];
}

/** A `run:` script, with the offset of its first source character and the text as it sits in the file. */
export interface RunScript {
  file: string;
  source: string;
  /** 1-based line of the character at `source` index `i`. */
  lineAt(i: number): number;
}

export interface ParsedWorkflow {
  uses: UsesSite[];
  runs: RunScript[];
  /** YAML errors, when the file does not parse. */
  errors: { line?: number; message: string }[];
}

/** Find every `uses:` and `run:` in a workflow or composite action, with source positions. */
export function scanWorkflow(file: string, text: string): ParsedWorkflow {
  const { doc, lines: lc } = parseYamlOnce(text);
  const result: ParsedWorkflow = { uses: [], runs: [], errors: [] };
  if (doc.errors.length > 0) {
    // The shared parse keeps plain messages; these read "... at line N, column M", so the rare broken file is parsed again.
    const pretty = parseDocument(text, { lineCounter: new LineCounter() });
    result.errors = pretty.errors.map((e) => ({ ...(e.linePos ? { line: e.linePos[0].line } : {}), message: e.message.split("\n")[0] ?? "" }));
    return result;
  }
  const lines = text.split(/\r\n|\r|\n/);
  const root = doc.contents;
  if (!isMap(root)) return result;
  const rootEnv = envOf(root);

  const onUses = (node: Node | undefined, env: Record<string, string>, withMap?: Node) => {
    if (!isScalar(node) || typeof node.value !== "string" || !node.range) return;
    const pos = lc.linePos(node.range[0]);
    const lineEnd = text.indexOf("\n", node.range[1]);
    // Up to the line break, without the `\r` of a CRLF file (it would defeat the comment match).
    const rest = text.slice(node.range[1], lineEnd === -1 ? undefined : lineEnd).replace(/\r$/, "");
    const comment = /^\s*#(.*)$/.exec(rest)?.[1]?.trim();
    const above = /^\s*#(.*)$/.exec(lines[pos.line - 2] ?? "")?.[1]?.trim();
    const site: UsesSite = { file, line: pos.line, column: pos.col, value: node.value.trim(), range: [node.range[0], node.range[1]] };
    if (comment !== undefined) site.comment = comment;
    if (above !== undefined) site.commentAbove = above;
    const version = isMap(withMap) ? (withMap.get("version", true) as Node | undefined) : undefined;
    if (isScalar(version) && version.range && version.value !== null) {
      site.version = { value: resolveEnv(String(version.value), env), line: lc.linePos(version.range[0]).line };
    }
    result.uses.push(site);
  };
  const onRun = (node: Node | undefined) => {
    if (!isScalar(node) || !node.range) return;
    const start = node.range[0];
    result.runs.push({ file, source: text.slice(start, node.range[1]), lineAt: (i) => lc.linePos(start + i).line });
  };
  const onSteps = (steps: unknown, env: Record<string, string>) => {
    if (!isSeq(steps)) return;
    for (const step of steps.items) {
      if (!isMap(step)) continue;
      const stepEnv = { ...env, ...envOf(step) };
      onUses(step.get("uses", true) as Node | undefined, stepEnv, step.get("with", true) as Node | undefined);
      onRun(step.get("run", true) as Node | undefined);
    }
  };

  const jobs = root.get("jobs", true);
  if (isMap(jobs)) {
    for (const pair of jobs.items) {
      const job = pair.value;
      if (!isMap(job)) continue;
      const jobEnv = { ...rootEnv, ...envOf(job) };
      onUses(job.get("uses", true) as Node | undefined, jobEnv, job.get("with", true) as Node | undefined);
      onSteps(job.get("steps", true), jobEnv);
    }
  }
  // A composite action (action.yml): runs.steps.
  const runs = root.get("runs", true);
  if (isMap(runs)) onSteps(runs.get("steps", true), rootEnv);
  return result;
}

function envOf(map: YAMLMap): Record<string, string> {
  const env = map.get("env", true);
  const out: Record<string, string> = {};
  if (!isMap(env)) return out;
  for (const pair of env.items) {
    const value = pair.value as Scalar | null;
    if (isScalar(pair.key) && isScalar(value) && value.value !== null) out[String(pair.key.value)] = String(value.value);
  }
  return out;
}

/** `${{ env.TRIVY_VERSION }}` -> its literal value from the nearest `env:`; anything else unchanged. */
function resolveEnv(value: string, env: Record<string, string>): string {
  const m = /^\$\{\{\s*env\.([A-Za-z_][\w-]*)\s*\}\}$/.exec(value.trim());
  return (m?.[1] && env[m[1]]) || value;
}

import { isMap, isScalar, isSeq, Scalar, type Node, type YAMLMap } from "yaml";
import { parseWorkflow, type Workflow } from "../gate/locate.js";
import { PATTERNS, SCRIPT, TRACKS, VERSION_COMMENT, type AdoptRule } from "./patterns.js";

/** One hand-written pattern found in a workflow. Pure data: line numbers and source offsets. */
export interface Spotted {
  rule: AdoptRule;
  /** 1-based line of what was found. */
  line: number;
  /** "job scan, step 3 (Scan the image)". */
  where: string;
  /** Where and why, one sentence. */
  message: string;
  /** tracks-comment: the step, the `uses:` scalar's source range (to the end of its line) and what it pins. */
  pin?: { jobKey: string; index: number; start: number; end: number; action: string; sha: string; tracks: string };
}

const REMOTE = /^([^/\s@]+)\/([^/\s@]+)(\/[^@\s]*)?@(\S+)$/;
const SHA = /^[0-9a-f]{40}$/;
const TRIVY_ACTIONS = new Set(["aquasecurity/trivy-action", "aquasecurity/setup-trivy"]);

/**
 * Find the hand-written patterns of PRODUCT.md "Upgrading" in one workflow: bare SHA pins with a
 * separate `# Tracks:` line, govulncheck's JSON output used as a gate, issues found by title or through
 * the search index, tag-pinned Trivy actions. A file that does not parse yields nothing (the gate and
 * the validators report it).
 */
export function spotHandWritten(path: string, text: string): Spotted[] {
  const wf = parseWorkflow(path, text);
  if (wf.error) return [];
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  const found: Spotted[] = [];
  const jobs = isMap(wf.doc.contents) ? wf.doc.contents.get("jobs", true) : undefined;
  if (!isMap(jobs)) return found;
  for (const pair of jobs.items) {
    const jobKey = isScalar(pair.key) ? String(pair.key.value) : "";
    const steps = isMap(pair.value) ? pair.value.get("steps", true) : undefined;
    if (!isSeq(steps)) continue;
    steps.items.forEach((item, index) => {
      if (!isMap(item)) return;
      const name = item.get("name");
      const where = `job ${jobKey}, step ${index + 1}${typeof name === "string" ? ` (${name})` : ""}`;
      const add = (rule: AdoptRule, line: number, pin?: Spotted["pin"]) =>
        found.push({ rule, line, where, message: `${where} ${PATTERNS[rule].why}`, ...(pin ? { pin } : {}) });
      spotUses(wf, lines, item, { jobKey, index }, add);
      for (const [node, script] of scriptsOf(item)) spotScript(wf, node, script, add);
    });
  }
  return found.sort((a, b) => a.line - b.line);
}

type Add = (rule: AdoptRule, line: number, pin?: Spotted["pin"]) => void;

function spotUses(wf: Workflow, lines: string[], step: YAMLMap, at: { jobKey: string; index: number }, add: Add): void {
  const node = step.get("uses", true) as Node | undefined;
  if (!isScalar(node) || typeof node.value !== "string" || !node.range) return;
  const m = REMOTE.exec(node.value.trim());
  if (!m?.[4]) return;
  const repo = `${m[1]}/${m[2]}`.toLowerCase();
  const action = `${m[1]}/${m[2]}${m[3] ?? ""}`;
  const line = wf.lines.linePos(node.range[0]).line;
  if (!SHA.test(m[4])) {
    if (TRIVY_ACTIONS.has(repo)) add("trivy-tag-pin", line);
    return;
  }
  const eol = wf.text.indexOf("\n", node.range[1]);
  const end = eol === -1 ? wf.text.length : wf.text[eol - 1] === "\r" ? eol - 1 : eol;
  if (VERSION_COMMENT.test(wf.text.slice(node.range[1], end))) return;
  const stepLine = wf.lines.linePos(step.range?.[0] ?? node.range[0]).line;
  const tracks = [...commentsAbove(lines, line), ...commentsAbove(lines, stepLine)]
    .map((c) => TRACKS.exec(c))
    .find((t) => t?.[1] && (t[1].toLowerCase() === action.toLowerCase() || t[1].toLowerCase() === repo));
  if (tracks?.[2]) add("tracks-comment", line, { ...at, start: node.range[0], end, action, sha: m[4], tracks: tracks[2] });
}

/** The comment lines directly above 1-based line `line`, nearest first. */
function commentsAbove(lines: string[], line: number): string[] {
  const out: string[] = [];
  for (let i = line - 2; i >= 0 && /^\s*#/.test(lines[i] ?? ""); i--) out.push(lines[i] ?? "");
  return out;
}

/** A step's `run:` and an actions/github-script `script:`, with their nodes. */
function scriptsOf(step: YAMLMap): [Scalar, string][] {
  const out: [Scalar, string][] = [];
  const run = step.get("run", true);
  if (isScalar(run) && typeof run.value === "string") out.push([run, run.value]);
  const w = step.get("with", true) as Node | undefined;
  if (!isMap(w)) return out;
  const script = w.get("script", true);
  if (isScalar(script) && typeof script.value === "string") out.push([script, script.value]);
  // golang/govulncheck-action passes output-format to govulncheck: json/sarif exit 0 whatever they find.
  const format = w.get("output-format", true);
  const uses = step.get("uses");
  if (typeof uses === "string" && /^golang\/govulncheck-action@/i.test(uses) && isScalar(format) && /^(json|sarif|openvex)$/i.test(String(format.value))) {
    out.push([format, "govulncheck -format json"]);
  }
  return out;
}

function spotScript(wf: Workflow, node: Scalar, script: string, add: Add): void {
  // Shell comments say things like "gh issue list without --search": they are not code.
  script = script.replace(/^[ \t]*#.*$/gm, "");
  const first = wf.lines.linePos(node.range?.[0] ?? 0).line + (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED ? 1 : 0);
  const lineOf = (index: number) => first + (script.slice(0, index).match(/\n/g)?.length ?? 0);

  const calls = [...script.matchAll(SCRIPT.govulncheck)];
  const json = calls.filter((c) => SCRIPT.jsonFormat.test(c[1] ?? ""));
  if (json[0] && json.length === calls.length && !SCRIPT.decides.test(script)) add("govulncheck-json-gate", lineOf((json[0].index ?? 0) + json[0][0].indexOf("govulncheck")));

  if (!SCRIPT.issueApi.test(script)) return;
  const title = SCRIPT.titleMatch.exec(script);
  if (title) add("title-dedup", lineOf(title.index));
  const search = SCRIPT.searchIndex.exec(script);
  if (search) add("search-index-lookup", lineOf(search.index));
}

import { VERSION_COMMENT } from "../validate/pins.js";
import { scanWorkflow } from "../validate/workflow-uses.js";
import type { SourceFile } from "./files.js";

/** What a `uses:` names: a remote action (or reusable workflow) at a ref, or a container image. */
export type Target = { kind: "action"; action: string; repo: string; ref: string } | { kind: "docker"; image: string; tag?: string; digest?: string };

/** One `uses:` with the source offsets an edit needs. */
export interface Site {
  file: string;
  line: number;
  value: string;
  target: Target;
  /** Offsets of the part of the value we replace: the ref after `@`, or the image after `docker://`. */
  refRange: [number, number];
  /** End of the value as written (after a closing quote): a new comment goes here. */
  valueEnd: number;
  /** The same-line comment: offsets of the text after `#` (to the end of the line, trailing spaces excluded). */
  comment?: { text: string; range: [number, number] };
  /** The version the comment names (`v4.2.1` in `# v4.2.1`), when it names one. */
  version?: string;
  /** Why this site cannot be edited in place, when it cannot (a flow mapping, an escaped value, ...). */
  unsafe?: string;
}

export const SHA = /^[0-9a-f]{40}$/;
const REMOTE = /^([^/\s@]+)\/([^/\s@]+)(\/[^@\s]*)?@(\S+)$/;
const DOCKER = /^docker:\/\/([^@\s]+?)(?::([\w][\w.-]*))?(?:@(sha256:[0-9a-f]{64}))?$/;

/** Every remote `uses:` of a file (local `./` actions are versioned with the repository), or the parse errors. */
export function findSites(file: SourceFile): { sites: Site[]; errors: { line?: number; message: string }[] } {
  const { text } = file;
  const scanned = scanWorkflow(file.path, text);
  const sites: Site[] = [];
  for (const u of scanned.uses) {
    if (u.value.startsWith("./") || u.value.startsWith("../")) continue;
    const [start, end] = u.range;
    const source = text.slice(start, end);
    const target = parseTarget(u.value);
    if (!target) continue; // not owner/repo@ref: the pin lint reports it
    // What we replace, and where it starts inside the value as written (after a quote, if any).
    const replaced = target.kind === "docker" ? u.value.slice("docker://".length) : target.ref;
    const found = target.kind === "docker" ? source.indexOf("docker://") : source.lastIndexOf(`@${target.ref}`);
    const inner = found + (target.kind === "docker" ? "docker://".length : 1);
    const length = replaced.length;
    const eol = lineEnd(text, end);
    const rest = text.slice(end, eol);
    const site: Site = { file: file.path, line: u.line, value: u.value, target, refRange: [start + inner, start + inner + length], valueEnd: end };
    const c = /^(\s*)#(.*?)\s*$/.exec(rest);
    if (c) {
      const from = end + (c[1]?.length ?? 0) + 1;
      site.comment = { text: c[2] ?? "", range: [from, from + (c[2]?.length ?? 0)] };
      const v = VERSION_COMMENT.exec((c[2] ?? "").trim())?.[1];
      if (v) site.version = v;
    }
    if (source.includes("\n") || source.includes("\r")) site.unsafe = "the value spans lines";
    else if (found < 0 || text.slice(site.refRange[0], site.refRange[1]) !== replaced) {
      site.unsafe = "the value is written with escapes";
    } else if (!c && rest.trim() !== "") site.unsafe = "something follows the value on its line (a flow mapping?), so the version comment has no place";
    sites.push(site);
  }
  return { sites, errors: scanned.errors };
}

export function parseTarget(value: string): Target | undefined {
  const d = DOCKER.exec(value);
  if (value.startsWith("docker://")) return d?.[1] ? { kind: "docker", image: d[1], ...(d[2] ? { tag: d[2] } : {}), ...(d[3] ? { digest: d[3] } : {}) } : undefined;
  const m = REMOTE.exec(value);
  if (!m?.[1] || !m[2] || !m[4]) return undefined;
  return { kind: "action", action: `${m[1]}/${m[2]}${m[3] ?? ""}`, repo: `${m[1]}/${m[2]}`, ref: m[4] };
}

function lineEnd(text: string, from: number): number {
  const n = text.indexOf("\n", from);
  const e = n === -1 ? text.length : n;
  return e > from && text[e - 1] === "\r" ? e - 1 : e;
}

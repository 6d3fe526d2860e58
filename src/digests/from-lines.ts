/**
 * The FROM lines of a Dockerfile that can be pinned by digest, with the offset where `@sha256:…` goes,
 * and the splice that inserts it and changes no other byte (issue 13, item 9; like the gate's splice).
 */

export interface FromRef {
  /** 1-based line. */
  line: number;
  /** The image reference as written (`golang:1.26`, `ghcr.io/o/r:v1`). */
  ref: string;
  /** Offset just after the reference: where `@<digest>` is inserted. */
  end: number;
}

export interface SkippedFrom {
  line: number;
  ref: string;
  why: string;
}

/** `FROM [--flag=value ...] image [AS name]`, one line (a line continued with `\` is left alone). */
const FROM = /^([ \t]*FROM[ \t]+(?:--[A-Za-z-]+=\S+[ \t]+)*)(\S+)([ \t]+AS[ \t]+(\S+))?[ \t]*\r?$/i;

/** Every FROM line, sorted into the pinnable and the ones left as they are (with why). */
export function fromLines(text: string): { pinnable: FromRef[]; skipped: SkippedFrom[] } {
  const pinnable: FromRef[] = [];
  const skipped: SkippedFrom[] = [];
  const stages = new Set<string>();
  let offset = 0;
  const lines = text.split("\n");
  for (const [i, raw] of lines.entries()) {
    const start = offset;
    offset += raw.length + 1;
    const line = i === 0 ? raw.replace(/^\uFEFF/, "") : raw;
    const lead = raw.length - line.length;
    const m = FROM.exec(line);
    if (!m) continue;
    const [, head = "", ref = "", , stage] = m;
    const at = { line: i + 1, ref };
    const earlierStage = stages.has(ref.toLowerCase());
    if (stage) stages.add(stage.toLowerCase());
    if (earlierStage) skipped.push({ ...at, why: "an earlier build stage, not an image" });
    else if (ref.toLowerCase() === "scratch") skipped.push({ ...at, why: "scratch is no image" });
    else if (ref.includes("$")) skipped.push({ ...at, why: "set by a build argument; pin the ARG default by hand" });
    else if (ref.includes("@")) skipped.push({ ...at, why: "already pinned by digest" });
    else if (!tagOf(ref)) skipped.push({ ...at, why: "no tag: pin a version tag first, so Renovate and Dependabot can keep the digest current" });
    else pinnable.push({ ...at, end: start + lead + head.length + ref.length });
  }
  return { pinnable, skipped };
}

/** The tag of a reference, or undefined (`localhost:5000/app` has a port, not a tag). */
export function tagOf(ref: string): string | undefined {
  const last = ref.split("/").at(-1) ?? "";
  const colon = last.lastIndexOf(":");
  return colon > 0 ? last.slice(colon + 1) : undefined;
}

/**
 * Insert `@<digest>` after each reference that has one; nothing else changes. The result is checked:
 * taking the insertions out again must give back the original text byte for byte.
 */
export function pinFromLines(text: string, refs: FromRef[], digests: Map<string, string>): { text: string; pinned: { line: number; ref: string; digest: string }[] } {
  const pinned: { line: number; ref: string; digest: string }[] = [];
  let out = text;
  for (const r of [...refs].sort((a, b) => b.end - a.end)) {
    const digest = digests.get(r.ref);
    if (!digest) continue;
    out = `${out.slice(0, r.end)}@${digest}${out.slice(r.end)}`;
    pinned.unshift({ line: r.line, ref: r.ref, digest });
  }
  let back = out;
  for (const p of pinned) back = back.replace(`${p.ref}@${p.digest}`, p.ref);
  if (back !== text) throw new Error("internal error: pinning the FROM lines changed more than the digests");
  return { text: out, pinned };
}

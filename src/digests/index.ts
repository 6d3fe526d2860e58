import { existsSync, readFileSync } from "node:fs";
import { isUtf8 } from "node:buffer";
import { join } from "node:path";
import type { FileChange } from "../types.js";
import { fromLines, pinFromLines } from "./from-lines.js";
import { resolveDigest, type Fetch } from "./registry.js";

export interface BaseImagePins {
  /** The Dockerfile with its FROM lines pinned, when a digest was resolved for at least one. */
  change?: FileChange;
  notes: string[];
}

/**
 * `--pin-base-images` (issue 13, item 9): ask each FROM line's registry for the digest its tag points to
 * now, and pin the line to it (`FROM golang:1.26@sha256:…`), keeping the tag so Renovate
 * (`docker:pinDigests`) and Dependabot keep the digest current. Only where the registry answers:
 * anything it cannot resolve (offline, private, refused) is reported and left as it is.
 */
export async function planBaseImagePins(dir: string, dockerfile: string, opts: { fetch?: Fetch; timeoutMs?: number } = {}): Promise<BaseImagePins> {
  const path = join(dir, dockerfile);
  if (!existsSync(path)) return { notes: [`${dockerfile}: not found; no FROM line pinned`] };
  const bytes = readFileSync(path);
  // Edits go through UTF-8 text: a file that is not UTF-8 would lose bytes, so it is left to the user.
  if (!isUtf8(bytes)) return { notes: [`${dockerfile}: not UTF-8, so its FROM lines were not pinned (editing it would change bytes that are not ours); pin them by hand`] };
  const text = bytes.toString("utf8");
  const { pinnable, skipped } = fromLines(text);
  const notes = skipped.filter((s) => s.why !== "already pinned by digest").map((s) => `${dockerfile}:${s.line}: FROM ${s.ref} not pinned: ${s.why}`);
  const digests = new Map<string, string>();
  for (const ref of new Set(pinnable.map((r) => r.ref))) {
    const r = await resolveDigest(ref, opts);
    if ("digest" in r) digests.set(ref, r.digest);
    else notes.push(`${dockerfile}: FROM ${ref} not pinned: ${r.error}. Run again where the registry answers, or pin it by hand (docker buildx imagetools inspect ${ref})`);
  }
  if (digests.size === 0) return { notes };
  const { text: after, pinned } = pinFromLines(text, pinnable, digests);
  return {
    change: {
      path: dockerfile,
      action: "update",
      before: text,
      after,
      reason: `pinned ${pinned.length} FROM line(s) by digest (--pin-base-images); the tags stay, so Renovate or Dependabot keep the digests current`,
      notes: pinned.map((p) => `line ${p.line}: ${p.ref}@${p.digest}`),
    },
    notes,
  };
}

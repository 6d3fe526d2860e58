import { merge3, type ConflictStrategy } from "../merge/threeway.js";
import type { FileChange } from "../types.js";

export interface OwnedInput {
  path: string;
  /** The new render. */
  next: string;
  /** The file in the repo now, if any. */
  current?: string;
  /** What we generated last time (from the state file), if we wrote it before. */
  generated?: string;
  restore: boolean;
  onConflict: ConflictStrategy;
}

/**
 * What happens to one file we manage. The rules (PRODUCT.md, "Upgrading"): untouched since we wrote it:
 * replaced; edited: three-way merge; deleted by the user: left deleted unless --restore; present but
 * never written by us: not overwritten.
 */
export function planOwnedFile(input: OwnedInput): FileChange {
  const { path, next, current, generated } = input;
  if (current === undefined) {
    if (generated !== undefined && !input.restore) {
      return { path, action: "skip", reason: "you deleted it after an earlier run; left deleted (--restore brings it back)" };
    }
    return { path, action: "create", after: next, reason: generated === undefined ? "new" : "restored (--restore)" };
  }
  if (current === next) return { path, action: "unchanged", before: current, after: current };
  if (generated === undefined) {
    if (input.onConflict === "theirs") return { path, action: "update", before: current, after: next, reason: "replaced a file relay-security did not write (--on-conflict theirs)" };
    return {
      path,
      action: "conflict",
      before: current,
      after: current,
      reason: "exists and was not written by relay-security; left as it is (the diff shows what we would write; --on-conflict theirs replaces it)",
      notes: [next],
    };
  }
  if (current === generated) return { path, action: "update", before: current, after: next, reason: "not edited since the last run; replaced by the new version" };
  const merged = merge3(generated, current, next, { strategy: input.onConflict });
  if (merged.text === current) return { path, action: "unchanged", before: current, after: current, reason: "your edits kept; nothing new from us" };
  if (!merged.clean) {
    return {
      path,
      action: "conflict",
      before: current,
      after: input.onConflict === "fail" ? current : merged.text,
      reason: `your edits and ours overlap in ${merged.conflicts} place(s)${input.onConflict === "fail" ? "; left as it is (--on-conflict fail)" : "; conflict markers written, resolve them and re-run"}`,
    };
  }
  return { path, action: "update", before: current, after: merged.text, reason: "merged the new version with your edits" };
}

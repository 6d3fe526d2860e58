import JSON5 from "json5";
import { parseDocument } from "yaml";
import { hasConflictMarkers, merge3, type ConflictStrategy } from "../merge/threeway.js";
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
  /** `--adopt`: replace a file at this path that we did not write. */
  adopt?: boolean;
  /** For a file we did not write: what `src/adopt` found wrong with it, in a few words each. */
  handWritten?: string[];
}

/**
 * What happens to one file we manage. The rules (PRODUCT.md, "Upgrading"; issue 6):
 * - deleted by the user after we wrote it: left deleted, unless --restore;
 * - present but never written by us (hand-written): a conflict that shows our version; --adopt replaces it;
 * - still holding conflict markers from an earlier upgrade: left as it is until they are resolved;
 * - untouched since we wrote it: replaced;
 * - edited: three-way merge (last generated, the user's file, the new render). Overlaps follow
 *   --on-conflict; a merge that no longer parses (YAML/JSON) is never written, it is a conflict.
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
  if (generated === undefined) return handWritten(input, current);
  const markers = hasConflictMarkers(current);
  if (markers.length > 0) {
    return {
      path,
      action: "conflict",
      before: current,
      after: current,
      reason: `still has conflict markers from an earlier upgrade (line ${markers.map((m) => m.line).join(", ")}); left as it is: resolve them, then re-run`,
    };
  }
  if (current === generated) return { path, action: "update", before: current, after: next, reason: "not edited since the last run; replaced by the new version" };

  const merged = merge3(generated, current, next, { strategy: input.onConflict });
  if (merged.text === current) {
    const why = merged.conflicts > 0 ? `your lines kept where ours overlap them (--on-conflict ${input.onConflict}); nothing else new` : "your edits kept; nothing new from us";
    return { path, action: "unchanged", before: current, after: current, reason: why };
  }
  if (!merged.clean) {
    return {
      path,
      action: "conflict",
      before: current,
      after: input.onConflict === "fail" ? current : merged.text,
      ...(input.onConflict === "fail" ? {} : { stages: { base: generated, ours: current, theirs: next } }),
      reason: `your edits and ours overlap in ${merged.conflicts} place(s)${input.onConflict === "fail" ? "; left as it is (--on-conflict fail)" : "; conflict markers written, resolve them and re-run"}`,
    };
  }
  const broken = parseError(path, merged.text);
  if (broken !== undefined && parseError(path, current) === undefined) {
    return {
      path,
      action: "conflict",
      before: current,
      after: current,
      reason: `merging your edits with ours gives a file that does not parse (${broken}); left as it is: the diff shows the merge, apply what you want of it by hand`,
      notes: [merged.text],
    };
  }
  const resolved = merged.conflicts > 0 ? `; ${merged.conflicts} overlapping place(s) resolved with --on-conflict ${input.onConflict} (${input.onConflict === "ours" ? "your lines kept" : "our lines taken"})` : "";
  return { path, action: "update", before: current, after: merged.text, reason: `merged the new version with your edits${resolved}` };
}

function handWritten(input: OwnedInput, current: string): FileChange {
  const { path, next } = input;
  const found = input.handWritten?.length ? `; ${input.handWritten.join("; ")}` : "";
  if (input.adopt) {
    return { path, action: "update", before: current, after: next, reason: `hand-written (not in the state file)${found}: replaced by relay-security's version (--adopt)` };
  }
  return {
    path,
    action: "conflict",
    before: current,
    after: current,
    reason: `hand-written (not in the state file)${found}; left as it is: the diff shows relay-security's version, --adopt replaces it`,
    notes: [next],
  };
}

/** Why a YAML or JSON file does not parse, or undefined (other files always "parse"). */
export function parseError(path: string, text: string): string | undefined {
  try {
    if (/\.ya?ml$/.test(path)) {
      const err = parseDocument(text, { prettyErrors: false }).errors[0];
      return err ? err.message.split("\n")[0] : undefined;
    }
    if (path.endsWith(".json5")) JSON5.parse(text);
    else if (path.endsWith(".json")) JSON.parse(text);
    return undefined;
  } catch (error) {
    return (error as Error).message.split("\n")[0];
  }
}

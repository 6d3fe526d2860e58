import type { Answers } from "../answers/schema.js";
import { UserError } from "../errors.js";
import { PATHS } from "../render/index.js";
import { dependabotCoverageNote, dependabotLabelNote, renderDependabot } from "../renovate/dependabot.js";
import { parseYamlOnce } from "../yaml-once.js";
import { readRepoTextForAnalysis } from "../fsguard.js";
import { renderRenovateConfig, renderRenovateJson } from "../renovate/config.js";
import { mergeRenovateConfig } from "../renovate/merge.js";
import { renovateReachNote } from "../renovate/reach.js";
import type { Detected, FileChange } from "../types.js";

interface UpdaterInput {
  dir: string;
  detected: Detected;
  answers: Answers;
  generated: Record<string, { generated: string }>;
  /** Our rules as last merged into the user's Renovate config (state file). */
  previousRenovate?: { path: string; ours: Record<string, unknown> };
  readRel(rel: string): string | undefined;
}

/**
 * The updater config: a Renovate config we own when there is none, our rules merged into the user's
 * config when there is one, or a dependabot.yml. Two Renovate configs is a question only the user can
 * answer (Renovate would read just one of them).
 */
export function planUpdaterFiles(input: UpdaterInput): {
  owned: { path: string; text: string }[];
  changes: FileChange[];
  notes: string[];
  renovate?: { path: string; ours: Record<string, unknown> };
  /** The user's Renovate config, when it keeps our rules from acting (the plan's note says why). */
  renovateIdle?: string;
} {
  const { detected, answers } = input;
  const owned: { path: string; text: string }[] = [];
  const changes: FileChange[] = [];
  const notes: string[] = [];
  let renovate: { path: string; ours: Record<string, unknown> } | undefined;
  let renovateIdle: string | undefined;
  if (answers.updater === "renovate") {
    const ours = renderRenovateConfig({ label: answers.label, scanner: answers.scanner });
    const theirs = detected.renovateConfigs.filter((p) => !(p === PATHS.renovate && input.generated[PATHS.renovate]));
    if (theirs.length > 1) throw new UserError(`two Renovate configs found (${theirs.join(", ")}); Renovate reads only one: merge them, then re-run`);
    const existing = theirs[0];
    if (existing === undefined) {
      owned.push({ path: PATHS.renovate, text: renderRenovateJson({ label: answers.label, scanner: answers.scanner }) });
    } else {
      const before = input.readRel(existing) ?? "";
      const previous = input.previousRenovate?.path === existing ? input.previousRenovate.ours : undefined;
      const merged = mergeRenovateConfig(existing, before, ours, previous ? { previous } : {});
      renovate = { path: existing, ours: ours as unknown as Record<string, unknown> };
      const idle = renovateReachNote(merged.where, merged.user, { dockerfile: answers.dockerfile !== undefined });
      if (idle) {
        notes.push(idle);
        renovateIdle = existing;
      }
      changes.push(
        merged.text === before
          ? { path: existing, action: "unchanged", reason: "already has our Renovate rules" }
          : { path: existing, action: "update", before, after: merged.text, reason: "added our Renovate rules to your config", notes: merged.added },
      );
    }
  } else if (answers.updater === "dependabot") {
    if (detected.dependabotConfig && !input.generated[PATHS.dependabot]) {
      let data: unknown;
      try {
        data = parseYamlOnce(readRepoTextForAnalysis(input.dir, detected.dependabotConfig) ?? "").data();
      } catch {
        data = undefined;
      }
      notes.push(data === undefined ? `${detected.dependabotConfig}: kept as it is; it does not parse as YAML, so relay-security could not check that it covers github-actions, docker and gomod with a cooldown.` : dependabotCoverageNote(detected.dependabotConfig, data));
    } else {
      const dockerDir = (answers.dockerfile ?? "Dockerfile").split("/").slice(0, -1).join("/") || ".";
      owned.push({ path: PATHS.dependabot, text: renderDependabot({ label: answers.label, dockerDirectory: `/${dockerDir === "." ? "" : dockerDir}` }) });
      notes.push(dependabotLabelNote(answers.label));
    }
  }
  return { owned, changes, notes, renovate, ...(renovateIdle ? { renovateIdle } : {}) };
}

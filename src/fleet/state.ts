import { existsSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { answersSchema } from "../answers/schema.js";
import { checkRepo } from "../commands.js";
import type { Deps } from "../deps.js";
import { detect } from "../detect/index.js";
import type { PinsData } from "../pins.js";
import { PATHS } from "../render/index.js";
import { parseState } from "../state/index.js";

/** The five states of the fleet table (issue 16). */
export type FleetState = "current" | "drift" | "conflict" | "not set up" | "error";

export interface FleetResult {
  repository: string;
  dir: string;
  state: FleetState;
  /** The files behind the state (drifted or conflicted), or the error. */
  detail: string;
  pr?: string;
}

/** `owner/name` from the origin remote when it names one, else the folder's name. */
const nameOf = (dir: string, remote?: { owner: string; repo: string }) => (remote ? `${remote.owner}/${remote.repo}` : basename(dir));

/**
 * One repository's state, in-process: the plan `check` builds (no validators, which the state does not
 * need and which would cost a scanner run per repository). Never throws: a repository that cannot be
 * read is an `error` row, and the next one is checked.
 */
export async function repoState(dirIn: string, deps: Deps, pins: PinsData): Promise<FleetResult> {
  const dir = resolve(dirIn);
  let repository = basename(dir);
  try {
    const detected = await detect(dir, deps);
    repository = nameOf(dir, detected.remote);
    const statePath = join(dir, PATHS.state);
    if (!existsSync(statePath)) return { repository, dir, state: "not set up", detail: `no ${PATHS.state}` };
    const state = parseState(PATHS.state, readFileSync(statePath, "utf8"));
    const answers = answersSchema.parse(state.answers);
    const check = checkRepo(detected, answers, state, pins);
    const markers = [...new Set(check.findings.filter((f) => f.rule === "conflict-marker").map((f) => f.file))];
    // An upgrade that would conflict is a conflict too, not mere drift: it needs a person.
    const conflicts = markers.length ? markers : check.drift.filter((d) => d.action === "conflict").map((d) => d.path);
    if (conflicts.length) return { repository, dir, state: "conflict", detail: conflicts.join(", ") };
    if (check.drift.length) return { repository, dir, state: "drift", detail: check.drift.map((d) => d.path).join(", ") };
    return { repository, dir, state: "current", detail: "" };
  } catch (error) {
    return { repository, dir, state: "error", detail: (error as Error).message.split("\n")[0] ?? "" };
  }
}

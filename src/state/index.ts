import * as z from "../zod.js";
import { answersSchema } from "../answers/schema.js";
import { UserError } from "../errors.js";
import { VERSION } from "../version.js";

/**
 * `.github/relay-security.json`: committed with the files it describes. It keeps the answers and the
 * exact text we generated last time for every file we manage, so that an upgrade can three-way merge
 * (last generated, the user's file, the new render) offline, without replaying an older release.
 */
export const STATE_SCHEMA = 1;

const fileRecord = z.object({
  /** The text we wrote (or the text we would have written, for a merge that kept the user's edits). */
  generated: z.string(),
});

/** Where our PR-gate step lives in a workflow the user owns; the step itself is found by its `id`. */
const gateRecord = z.object({
  file: z.string(),
  /** Edits of the user's own lines we made and said so (e.g. `load: true`). */
  edits: z._default(z.array(z.string()), []),
  /** Our step as we last wrote it (parsed), so an upgrade can tell when the user edited it. */
  step: z.optional(z.record(z.string(), z.unknown())),
});

export const stateSchema = z.object({
  $comment: z.optional(z.string()),
  tool: z.literal("create-relay-security"),
  version: z.string(),
  schema: z.number().check(z.int()),
  answers: z.record(z.string(), z.unknown()),
  files: z.record(z.string(), fileRecord),
  gate: z.optional(gateRecord),
  /** Our rules as last merged into the user's own Renovate config, so an upgrade keeps a rule they edited. */
  renovate: z.optional(z.object({ path: z.string(), ours: z.record(z.string(), z.unknown()) })),
});

export type State = z.output<typeof stateSchema>;
export type GateRecord = z.output<typeof gateRecord>;

const semver = (v: string) => v.split(/[.-]/).slice(0, 3).map((n) => Number.parseInt(n, 10) || 0);
/** -1, 0, 1 like a comparator, on the numeric x.y.z part. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [semver(a), semver(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1;
  return 0;
}

/** Parse and check a state file; a newer tool's state is refused (no downgrade). */
export function parseState(path: string, text: string): State {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path}: not valid JSON (${(error as Error).message}); restore it from git, or delete it to set up from scratch`);
  }
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${path}: not a relay-security state file (${issue?.path.join(".") || "top level"}: ${issue?.message})`);
  }
  const state = parsed.data;
  if (state.schema > STATE_SCHEMA || compareVersions(state.version, VERSION) > 0) {
    throw new UserError(
      `${path} was written by create-relay-security ${state.version}, newer than this ${VERSION}; run the newer version (npm create relay-security@${state.version}) instead of downgrading`,
    );
  }
  const answers = answersSchema.safeParse(state.answers);
  if (!answers.success) {
    const issue = answers.error.issues[0];
    throw new UserError(`${path}: recorded answer ${issue?.path.join(".")} is invalid: ${issue?.message}`);
  }
  return state;
}

export function renderState(state: Omit<State, "$comment" | "tool" | "schema" | "version">): string {
  const full: State = {
    $comment:
      "Written by relay-security: your answers and the text it generated last, so a re-run can upgrade these files without losing your edits. Commit it; do not edit it by hand.",
    tool: "create-relay-security",
    version: VERSION,
    schema: STATE_SCHEMA,
    ...state,
  };
  return `${JSON.stringify(full, null, 2)}\n`;
}

import { CANCEL, type Prompter } from "../deps.js";
import { Cancelled, UserError } from "../errors.js";
import { answersSchema, type AnswerKey, type Answers } from "./schema.js";

/** The flag that sets each answer: named in every error, so a script knows what to pass. */
export const FLAG_OF: Record<AnswerKey, string> = {
  image: "--image",
  dockerfile: "--dockerfile",
  context: "--context",
  branch: "--branch",
  schedule: "--schedule",
  severity: "--severity",
  label: "--label",
  updater: "--updater",
  scanner: "--scanner",
  imageScan: "--no-image-scan",
  sarif: "--sarif",
  reachability: "--reachability",
  report: "--report",
  isolatedScan: "--isolated-scan",
  workflow: "--workflow",
  buildArgs: "--build-arg",
  trivyignore: "--trivyignore",
  checkWorkflow: "--no-check-workflow",
  hardenRunner: "--harden-runner",
  pinBaseImages: "--pin-base-images",
  dbRepository: "--db-repository",
};

export type RawAnswers = Partial<Record<AnswerKey, unknown>>;

export interface AnswerSources {
  /** From the command line. */
  flags: RawAnswers;
  /** From `--answers FILE`. */
  file?: { path: string; values: RawAnswers };
  /** From the state file of an earlier run. */
  recorded?: { path: string; values: RawAnswers };
  /** What detection suggests. */
  detected: RawAnswers;
}

export type Mode = "interactive" | "yes" | "non-interactive";

/**
 * The one precedence rule: flag > answers file > recorded answer (an earlier run) > detected default.
 * Interactive mode then asks every question that no flag or file answered, pre-filled with that value.
 */
export function layer(sources: AnswerSources): { values: RawAnswers; origin: Partial<Record<AnswerKey, string>> } {
  const values: RawAnswers = {};
  const origin: Partial<Record<AnswerKey, string>> = {};
  const layers: [RawAnswers | undefined, (k: AnswerKey) => string][] = [
    [sources.detected, () => "detected"],
    [sources.recorded?.values, () => sources.recorded?.path ?? "state"],
    [sources.file?.values, (k) => `${sources.file?.path}: "${k}"`],
    [sources.flags, (k) => FLAG_OF[k]],
  ];
  for (const [layerValues, name] of layers) {
    for (const [k, v] of Object.entries(layerValues ?? {}) as [AnswerKey, unknown][]) {
      if (v === undefined) continue;
      values[k] = v;
      origin[k] = name(k);
    }
  }
  return { values, origin };
}

/** Validate layered answers; the first problem becomes an error naming the flag or file it came from. */
export function validateAnswers(values: RawAnswers, origin: Partial<Record<AnswerKey, string>>): Answers {
  const parsed = answersSchema.safeParse(values);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = issue?.path[0] as AnswerKey | undefined;
  const from = key ? (origin[key] ?? FLAG_OF[key]) : "answers";
  const where = from === "detected" && key ? `${FLAG_OF[key]} (not given; detection found none)` : from;
  const message = issue?.code === "invalid_type" && values[key as AnswerKey] === undefined ? `missing; pass ${key ? FLAG_OF[key] : "it"}` : issue?.message;
  throw new UserError(`${where}: ${message}`);
}

const FILE_KEYS = new Set<string>(Object.keys(FLAG_OF));

/** Check an answers file's keys before they are layered (a typo must not be silently ignored). */
export function readAnswersFile(path: string, text: string): RawAnswers {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new UserError(`${path}: expected a JSON object of answers`);
  for (const key of Object.keys(data)) {
    if (!FILE_KEYS.has(key)) throw new UserError(`${path}: unknown answer "${key}" (known: ${[...FILE_KEYS].join(", ")})`);
  }
  return data as RawAnswers;
}

const take = <T>(v: T | typeof CANCEL): T => {
  if (v === CANCEL) throw new Cancelled();
  return v;
};

/** Ask what the user did not already answer with a flag or file, each question pre-filled. */
export async function ask(
  prompts: Prompter,
  values: RawAnswers,
  fixed: Set<AnswerKey>,
  choices: { dockerfiles: string[]; isDockerfile?: (path: string) => string | undefined },
): Promise<RawAnswers> {
  const out: RawAnswers = { ...values };
  const str = (k: AnswerKey) => (typeof out[k] === "string" ? (out[k] as string) : undefined);
  const check = (k: AnswerKey) => (v: string) => {
    const r = answersSchema.shape[k].safeParse(v);
    return r.success ? undefined : r.error.issues[0]?.message;
  };
  if (!fixed.has("image")) out.image = take(await prompts.text({ message: "Image name (the rescan builds and scans it and names its issues after it; the PR gate scans the tag your CI builds)", initialValue: str("image"), validate: check("image") }));
  if (!fixed.has("imageScan") && out.imageScan !== false && !fixed.has("dockerfile")) {
    out.dockerfile =
      choices.dockerfiles.length > 1
        ? take(await prompts.select({ message: "Which Dockerfile builds the service image?", options: choices.dockerfiles.map((d) => ({ value: d })), initialValue: str("dockerfile") }))
        : take(await prompts.text({ message: "Dockerfile", initialValue: str("dockerfile"), validate: (v) => check("dockerfile")(v) ?? choices.isDockerfile?.(v) }));
  }
  // No branch question: a schedule always runs on GitHub's default branch (issue 15.7); --branch only names
  // the push branch of a CI workflow we create when there is none.
  if (!fixed.has("schedule")) {
    const current = str("schedule") ?? "daily";
    const kind = take(
      await prompts.select({
        message: "How often should the default branch be rescanned?",
        options: [
          { value: "daily", hint: "new CVEs show up within a day" },
          { value: "weekly", hint: "Mondays" },
          { value: "custom", label: "custom cron", hint: "UTC, not at minute 0" },
        ],
        initialValue: current === "daily" || current === "weekly" ? current : "custom",
      }),
    );
    out.schedule = kind === "custom" ? take(await prompts.text({ message: "Cron expression (UTC)", initialValue: current === "daily" || current === "weekly" ? "" : current, validate: check("schedule") })) : kind;
  }
  if (!fixed.has("severity")) {
    out.severity = take(
      await prompts.select({
        message: "Fail on fixable vulnerabilities of severity",
        options: [
          { value: "CRITICAL,HIGH", hint: "recommended" },
          { value: "CRITICAL" },
          { value: "CRITICAL,HIGH,MEDIUM" },
        ],
        initialValue: str("severity") ?? "CRITICAL,HIGH",
      }),
    );
  }
  if (!fixed.has("updater")) {
    out.updater = take(
      await prompts.select({
        message: "What keeps the pins fresh?",
        options: [
          { value: "renovate", hint: "updates SHA pins with their version comments, the Trivy and govulncheck versions" },
          { value: "dependabot", hint: "actions, Docker and go.mod; not the scanner versions" },
          { value: "none", hint: "nothing updates them; run relay-security pin --update yourself" },
        ],
        initialValue: (str("updater") as "renovate" | "dependabot" | "none" | undefined) ?? "renovate",
      }),
    );
  }
  return out;
}

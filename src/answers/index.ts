import { existsSync, readFileSync } from "node:fs";
import type { Deps } from "../deps.js";
import { UserError } from "../errors.js";
import { defaultImageName } from "../detect/remote.js";
import type { State } from "../state/index.js";
import type { Detected } from "../types.js";
import { ask, FLAG_OF, layer, readAnswersFile, validateAnswers, type Mode, type RawAnswers } from "./resolve.js";
import type { AnswerKey, Answers } from "./schema.js";

/** The questions a person is asked; in a non-interactive run without --yes each needs a flag, a file or a recorded answer. */
const ASKED: AnswerKey[] = ["image", "dockerfile", "branch", "schedule", "severity", "updater"];

/** Defaults for what detection cannot know, and what it found. */
export function detectedDefaults(detected: Detected): RawAnswers {
  return {
    image: detected.remote && detected.remote.host === "github.com" ? defaultImageName(detected.remote) : undefined,
    dockerfile: detected.dockerfiles[0]?.path,
    context: ".",
    branch: detected.defaultBranch ?? "main",
    schedule: "daily",
    severity: "CRITICAL,HIGH",
    label: "security",
    updater: detected.renovateConfigs.length === 0 && detected.dependabotConfig ? "dependabot" : "renovate",
    scanner: "trivy",
    imageScan: true,
    sarif: false,
    reachability: false,
    report: "issues",
    isolatedScan: false,
  };
}

/** Flags, answers file, state, detection, then prompts: one set of valid answers or a UserError naming the flag. */
export async function resolveAnswers(
  detected: Detected,
  state: State | undefined,
  input: { flags: RawAnswers; answersFile?: string; mode: Mode },
  deps: Deps,
): Promise<Answers> {
  let file: { path: string; values: RawAnswers } | undefined;
  if (input.answersFile) {
    if (!existsSync(input.answersFile)) throw new UserError(`--answers ${input.answersFile}: no such file`);
    file = { path: input.answersFile, values: readAnswersFile(input.answersFile, readFileSync(input.answersFile, "utf8")) };
  }
  const recorded = state ? { path: ".github/relay-security.json", values: state.answers as RawAnswers } : undefined;
  const defaults = detectedDefaults(detected);
  const { values, origin } = layer({ flags: input.flags, file, recorded, detected: defaults });
  const given = new Set(Object.keys(layer({ flags: input.flags, file, recorded, detected: {} }).values) as AnswerKey[]);

  if (input.mode === "non-interactive") {
    const imageScan = values.imageScan !== false;
    const missing = ASKED.filter((k) => !given.has(k) && (k !== "dockerfile" || imageScan));
    if (missing.length) {
      throw new UserError(
        `no terminal to ask on (no TTY, or CI is set): pass --yes to accept the detected defaults, or answer with ${missing.map((k) => FLAG_OF[k]).join(", ")} (or --answers FILE)`,
      );
    }
  }
  if (values.imageScan !== false && values.dockerfile === undefined && input.mode !== "interactive") {
    throw new UserError(
      `no Dockerfile found in ${detected.dir}: the image scan builds and scans your image, so it needs one. Pass --dockerfile PATH, or --no-image-scan for a govulncheck-only setup`,
    );
  }
  const final =
    input.mode === "interactive"
      ? await ask(deps.prompts, values, given, { dockerfiles: detected.dockerfiles.map((d) => d.path) })
      : values;
  return validateAnswers(final, origin);
}

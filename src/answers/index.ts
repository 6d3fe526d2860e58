import { CANCEL, type Deps } from "../deps.js";
import { Cancelled, UserError } from "../errors.js";
import { readUserFile } from "../fsguard.js";
import { defaultImageName } from "../detect/remote.js";
import type { State } from "../state/index.js";
import type { Detected } from "../types.js";
import { checkAnswersAgainstRepo, dockerfileProblem } from "./repo-checks.js";
import { ask, FLAG_OF, layer, readAnswersFile, validateAnswers, type Mode, type RawAnswers } from "./resolve.js";
import type { AnswerKey, Answers } from "./schema.js";

/** The questions a person is asked; in a non-interactive run without --yes each needs a flag, a file or a recorded answer. */
const ASKED: AnswerKey[] = ["image", "dockerfile", "schedule", "severity", "updater"];

/** Defaults for what detection cannot know, and what it found. */
export function detectedDefaults(detected: Detected): RawAnswers {
  return {
    image: detected.publishedImage?.name ?? (detected.remote && detected.remote.host === "github.com" ? defaultImageName(detected.remote) : undefined),
    // Never a .devcontainer/, test or packaging image, and no guess when several could be the service's.
    dockerfile: detected.dockerfileAmbiguous ? undefined : detected.dockerfiles.find((d) => !d.excluded)?.path,
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
    // Trivy's YAML ignore file, when the repository keeps that one and no plain .trivyignore.
    trivyignore: detected.trivyignore === ".trivyignore.yaml" ? ".trivyignore.yaml" : ".trivyignore",
    checkWorkflow: true,
    hardenRunner: false,
    pinBaseImages: false,
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
    // Anywhere the user likes, but a regular UTF-8 file (a directory or FIFO is exit 2, not a hang or a trace).
    file = { path: input.answersFile, values: readAnswersFile(input.answersFile, readUserFile("--answers", input.answersFile)) };
  }
  const recorded = state ? { path: ".github/relay-security.json", values: state.answers as RawAnswers } : undefined;
  const defaults = detectedDefaults(detected);
  const { values, origin } = layer({ flags: input.flags, file, recorded, detected: defaults });
  let given = new Set(Object.keys(layer({ flags: input.flags, file, recorded, detected: {} }).values) as AnswerKey[]);
  // A re-run asks nothing the state file answers, unless the user wants to change an answer there.
  if (input.mode === "interactive" && recorded) {
    const change = await deps.prompts.confirm({ message: `Change answers? (recorded in ${recorded.path})`, initialValue: false });
    if (change === CANCEL) throw new Cancelled();
    if (change) given = new Set(Object.keys(layer({ flags: input.flags, file, detected: {} }).values) as AnswerKey[]);
  }

  if (input.mode === "non-interactive") {
    const imageScan = values.imageScan !== false;
    const missing = ASKED.filter((k) => !given.has(k) && (k !== "dockerfile" || imageScan));
    if (missing.length) {
      throw new UserError(
        `no terminal to ask on (no TTY, or CI is set): pass --yes to accept the detected defaults, or answer with ${missing.map((k) => FLAG_OF[k]).join(", ")} (or --answers FILE)`,
      );
    }
  }
  if (values.imageScan !== false && values.dockerfile === undefined && input.mode !== "interactive" && detected.dockerfileAmbiguous) {
    throw new UserError(`several Dockerfiles could build the service image, and no workflow, bake file, compose file or Makefile names just one; choose with --dockerfile PATH`, {
      details: detected.dockerfileAmbiguous.map((p) => `  ${p}`),
    });
  }
  const skipped = detected.dockerfiles.filter((d) => d.excluded);
  if (values.imageScan !== false && values.dockerfile === undefined && input.mode !== "interactive" && skipped.length > 0) {
    throw new UserError(`no Dockerfile of the service found in ${detected.dir} (left out: ${skipped.map((d) => `${d.path}, ${d.excluded}`).join("; ")}); pass --dockerfile PATH, or --no-image-scan for a govulncheck-only setup`);
  }
  if (values.imageScan !== false && values.dockerfile === undefined && input.mode !== "interactive") {
    throw new UserError(
      `no Dockerfile found in ${detected.dir}: the image scan builds and scans your image, so it needs one. Pass --dockerfile PATH, or --no-image-scan for a govulncheck-only setup`,
    );
  }
  const final =
    input.mode === "interactive"
      ? await ask(deps.prompts, values, given, { dockerfiles: detected.dockerfiles.filter((d) => !d.excluded).map((d) => d.path), isDockerfile: (path) => dockerfileProblem(detected.dir, path) })
      : values;
  const answers = validateAnswers(final, origin);
  checkAnswersAgainstRepo(detected.dir, answers, origin);
  return answers;
}

import { answersSchema, type Answers } from "../../src/answers/schema.js";
import { buildView, type View } from "../../src/render/index.js";

/** The answers every rendering test starts from (raw, as flags would give them). */
export const BASE_ANSWERS = {
  image: "ghcr.io/acme/svc",
  dockerfile: "Dockerfile",
  context: ".",
  branch: "main",
  schedule: "daily",
  severity: "CRITICAL,HIGH",
  label: "security",
  updater: "renovate",
  scanner: "trivy",
  imageScan: true,
  sarif: false,
  reachability: false,
} as const;

/** Validated answers: the base with `over` applied. */
export const answersWith = (over: Record<string, unknown> = {}): Answers => answersSchema.parse({ ...BASE_ANSWERS, ...over });

/** The view the templates render from, for module example.com/svc. */
export const viewWith = (over: Record<string, unknown> = {}): View => buildView({ answers: answersWith(over), modulePath: "example.com/svc", goModFile: "go.mod" });

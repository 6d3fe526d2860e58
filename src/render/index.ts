import { grypeCutoff, type Answers } from "../answers/schema.js";
import { loadPins, type PinsData } from "../pins.js";
import { VERSION } from "../version.js";
import { renderTemplate } from "./engine.js";
import { cronFor, dbCronFor } from "./schedule.js";

/** Where the files we own live in the user's repository. */
export const PATHS = {
  securityScan: ".github/workflows/security-scan.yml",
  checkWorkflow: ".github/workflows/relay-security-check.yml",
  securityDb: ".github/workflows/security-db.yml",
  /** Our composite action: the database steps of the gate, the rescan and the daily job, in one copy. */
  dbAction: ".github/actions/relay-security-db/action.yml",
  ci: ".github/workflows/ci.yml",
  trivyignore: ".trivyignore",
  trivyignoreYaml: ".trivyignore.yaml",
  grypeIgnore: ".grype.yaml",
  govulncheckIgnore: ".govulncheckignore",
  renovate: "renovate.json",
  dependabot: ".github/dependabot.yml",
  state: ".github/relay-security.json",
  /** The maintainers' page: what runs when, how to read an issue, how to accept a risk (issue 12). */
  docs: "docs/security-scanning.md",
} as const;

export interface RenderInput {
  answers: Answers;
  modulePath: string;
  /** go.mod, relative to the repo root (setup-go reads the Go version from it). */
  goModFile: string;
  pins?: PinsData;
  /** How the image is built (CI's file, context, target, platform, build args); default: the answers. */
  build?: { dockerfile: string; context: string; target?: string; platform?: string; args: string[] };
}

/** Everything the templates may read. Built once, so every file sees the same policy. */
export function buildView(input: RenderInput) {
  const { answers } = input;
  const pins = input.pins ?? loadPins();
  const schedule = cronFor(answers.schedule, answers.image);
  const grype = answers.scanner === "grype";
  return {
    version: VERSION,
    pins: pins.actions,
    scanner: answers.scanner,
    /** For `{{#if grype}}`: the image is scanned by Grype (anchore/scan-action), not Trivy. */
    grype,
    trivyVersion: pins.tools.trivy.version,
    grypeVersion: pins.tools.grype.version,
    govulncheckVersion: pins.tools.govulncheck.version,
    image: answers.image,
    // The tag the PR gate gives the image it builds; an expression GitHub expands, never a shell word.
    prImageRef: `${answers.image}:\${{ github.sha }}`,
    imageScanRef: `${answers.image}:security-scan`,
    dockerfile: input.build?.dockerfile ?? answers.dockerfile ?? "Dockerfile",
    context: input.build?.context ?? answers.context,
    // `docker build` options beyond file and context, for templates/image-build-step.hbs.
    build: buildOptions(input.build),
    branch: answers.branch,
    cron: schedule.cron,
    scheduleText: schedule.text,
    dbCron: dbCronFor(answers.image).cron,
    dbScheduleText: dbCronFor(answers.image).text,
    severity: answers.severity,
    // Grype's threshold for the severity list; the answers schema refuses a list that has none.
    severityCutoff: grypeCutoff(answers.severity) ?? "",
    label: answers.label,
    imageScan: answers.imageScan,
    // --report code-scanning (issue 20 item 8): the scanner jobs upload SARIF themselves and no issues job
    // is rendered; --sarif's separate upload job then has nothing to do.
    codeScanning: answers.report === "code-scanning",
    sarif: answers.sarif && answers.imageScan && !grype && answers.report !== "code-scanning",
    /** The image job makes a SARIF report: for --sarif's upload job, or for its own upload with --report code-scanning. */
    sarifScan: (answers.sarif || answers.report === "code-scanning") && answers.imageScan && !grype,
    /** `--reachability` (issue 17): the gate gets govulncheck's not-called Go module findings as OpenVEX. */
    reachability: answers.reachability && answers.imageScan && !grype,
    vexFile: "relay-security.vex.json",
    hardenRunner: answers.hardenRunner,
    /** `--isolated-scan` (issue 20 item 7): our step in the build job saves and uploads the image; a job of its own scans it. */
    isolatedSave: answers.isolatedScan && answers.imageScan,
    /** The local tag the isolated scan job loads and scans (an expression of the build job would not resolve there). */
    isolatedRef: "relay-security/image:scan",
    ignoreFile: grype ? PATHS.grypeIgnore : answers.trivyignore,
    govulncheckIgnoreFile: PATHS.govulncheckIgnore,
    targets: answers.imageScan ? `${grype ? "grype" : "trivy"}-image govulncheck` : "govulncheck",
    /** `--db-repository`: where the scanner's database comes from; empty for the scanner's own default. */
    dbRepository: answers.dbRepository ?? "",
    modulePath: input.modulePath,
    goModFile: input.goModFile,
  };
}

export type View = ReturnType<typeof buildView>;

/**
 * The extra `docker build` flags, each value in its own env var (quoted by `q`) so no value is ever
 * read by the shell as code. `extra` switches the step's run: to a multi-line command.
 */
function buildOptions(build: RenderInput["build"]) {
  const target = build?.target ?? "";
  const platform = build?.platform ?? "";
  const args = build?.args ?? [];
  const flags = [
    ...(target ? ['--target "$TARGET"'] : []),
    ...(platform ? ['--platform "$PLATFORM"'] : []),
    ...args.map((_, i) => `--build-arg "$BUILD_ARG_${i}"`),
  ];
  return { target, platform, args, extra: flags.length > 0, flags };
}

/** The security-scan workflow, which we own whole. */
export const renderSecurityScan = (view: View) => renderTemplate("security-scan.yml.hbs", view);
/** The maintainers' page about the scans, which we own like the workflow. */
export const renderScanningDocs = (view: View) => renderTemplate("security-scanning.md.hbs", view);
/** The workflow that runs `check` on pull requests (issue 13, item 2), which we own whole. */
export const renderCheckWorkflow = (view: View) => renderTemplate("relay-security-check.yml.hbs", view);
/** The daily job that downloads the vulnerability database into the cache the other jobs restore. */
export const renderSecurityDb = (view: View) => renderTemplate("security-db.yml.hbs", view);
/** The local action the gate, the rescan and the daily job call for the vulnerability database. */
export const renderDbAction = (view: View) => renderTemplate("db-action.yml.hbs", view);
/** A ci.yml for a repository that has no workflow building the image. */
export const renderCi = (view: View) => renderTemplate("ci.yml.hbs", view);
export const renderTrivyignore = (view: View) => renderTemplate("trivyignore.hbs", view);
export const renderGrypeIgnore = (view: View) => renderTemplate("grype.yaml.hbs", view);
/** The accepted govulncheck risks (user-owned; we write the header). */
export const renderGovulncheckIgnore = (view: View) => renderTemplate("govulncheckignore.hbs", view);
export const renderTrivyignoreYaml = (view: View) => renderTemplate("trivyignore.yaml.hbs", view);
/** The ignore file of the chosen scanner (`view.ignoreFile`): `.trivyignore`, `.trivyignore.yaml` or `.grype.yaml`. */
export const renderIgnoreFile = (view: View) =>
  view.grype ? renderGrypeIgnore(view) : view.ignoreFile === PATHS.trivyignoreYaml ? renderTrivyignoreYaml(view) : renderTrivyignore(view);
/** The PR gate step as a sequence item at column 0, with its comment; the splice re-indents it. */
export const renderGateStep = (view: View, imageRef: string, condition?: string) => renderTemplate("gate-step.hbs", { ...view, imageRef, condition: condition ?? "" });
/** `--isolated-scan`: the job that scans the image `buildJob` saved, as a mapping entry at column 0. */
export const renderIsolatedScanJob = (view: View, buildJob: string) => renderTemplate("isolated-scan-job.hbs", { ...view, buildJob });
/** The self-contained image-scan job as a mapping entry at column 0. */
export const renderImageScanJob = (view: View) => renderTemplate("image-scan-job.hbs", view);

import { grypeCutoff, type Answers } from "../answers/schema.js";
import { loadPins, type PinsData } from "../pins.js";
import { VERSION } from "../version.js";
import { renderTemplate } from "./engine.js";
import { cronFor } from "./schedule.js";

/** Where the files we own live in the user's repository. */
export const PATHS = {
  securityScan: ".github/workflows/security-scan.yml",
  ci: ".github/workflows/ci.yml",
  trivyignore: ".trivyignore",
  grypeIgnore: ".grype.yaml",
  govulncheckIgnore: ".govulncheckignore",
  renovate: "renovate.json",
  dependabot: ".github/dependabot.yml",
  state: ".github/relay-security.json",
} as const;

export interface RenderInput {
  answers: Answers;
  modulePath: string;
  /** go.mod, relative to the repo root (setup-go reads the Go version from it). */
  goModFile: string;
  pins?: PinsData;
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
    dockerfile: answers.dockerfile ?? "Dockerfile",
    context: answers.context,
    branch: answers.branch,
    cron: schedule.cron,
    scheduleText: schedule.text,
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
    /** `--isolated-scan` (issue 20 item 7): our step in the build job saves and uploads the image; a job of its own scans it. */
    isolatedSave: answers.isolatedScan && answers.imageScan,
    /** The local tag the isolated scan job loads and scans (an expression of the build job would not resolve there). */
    isolatedRef: "relay-security/image:scan",
    ignoreFile: grype ? PATHS.grypeIgnore : PATHS.trivyignore,
    govulncheckIgnoreFile: PATHS.govulncheckIgnore,
    targets: answers.imageScan ? `${grype ? "grype" : "trivy"}-image govulncheck` : "govulncheck",
    modulePath: input.modulePath,
    goModFile: input.goModFile,
  };
}

export type View = ReturnType<typeof buildView>;

/** The security-scan workflow, which we own whole. */
export const renderSecurityScan = (view: View) => renderTemplate("security-scan.yml.hbs", view);
/** A ci.yml for a repository that has no workflow building the image. */
export const renderCi = (view: View) => renderTemplate("ci.yml.hbs", view);
export const renderTrivyignore = (view: View) => renderTemplate("trivyignore.hbs", view);
export const renderGrypeIgnore = (view: View) => renderTemplate("grype.yaml.hbs", view);
/** The accepted govulncheck risks (user-owned; we write the header). */
export const renderGovulncheckIgnore = (view: View) => renderTemplate("govulncheckignore.hbs", view);
/** The ignore file of the chosen scanner (`view.ignoreFile`): `.trivyignore` or `.grype.yaml`. */
export const renderIgnoreFile = (view: View) => (view.grype ? renderGrypeIgnore(view) : renderTrivyignore(view));
/** The PR gate step as a sequence item at column 0, with its comment; the splice re-indents it. */
export const renderGateStep = (view: View, imageRef: string) => renderTemplate("gate-step.hbs", { ...view, imageRef });
/** `--isolated-scan`: the job that scans the image `buildJob` saved, as a mapping entry at column 0. */
export const renderIsolatedScanJob = (view: View, buildJob: string) => renderTemplate("isolated-scan-job.hbs", { ...view, buildJob });
/** The self-contained image-scan job as a mapping entry at column 0. */
export const renderImageScanJob = (view: View) => renderTemplate("image-scan-job.hbs", view);

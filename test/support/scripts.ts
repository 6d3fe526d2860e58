import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The three `run:` scripts of security-scan.yml that the lifecycle tests execute. */
export interface LifecycleScripts {
  /** Job `image`, step `decide`: Trivy's JSON report -> status. */
  trivyDecide: string;
  /** Job `govulncheck`, step `scan`: text mode decides, JSON feeds the report. */
  govulncheckScan: string;
  /** Job `issues`, step `issues`: one issue per target. */
  issueLifecycle: string;
}

/** Where each script lives in the rendered workflow (job id, step id) and in templates/scripts/. */
export const SCRIPT_STEPS = {
  trivyDecide: { job: "image", step: "decide", file: "trivy-decide.sh" },
  govulncheckScan: { job: "govulncheck", step: "scan", file: "govulncheck-scan.sh" },
  issueLifecycle: { job: "issues", step: "issues", file: "issue-lifecycle.sh" },
} as const;

const SCRIPTS_DIR = fileURLToPath(new URL("../../templates/scripts/", import.meta.url));

/**
 * The exact text the user gets. The single place the tests read it from: switch this to
 * `runScriptOf(renderProject(...).workflow, job, step)` for each entry of SCRIPT_STEPS once the
 * renderer exists, and every lifecycle test runs the rendered `run:` blocks instead.
 */
export function lifecycleScripts(): LifecycleScripts {
  const read = (key: keyof typeof SCRIPT_STEPS) => readFileSync(`${SCRIPTS_DIR}${SCRIPT_STEPS[key].file}`, "utf8");
  return {
    trivyDecide: read("trivyDecide"),
    govulncheckScan: read("govulncheckScan"),
    issueLifecycle: read("issueLifecycle"),
  };
}

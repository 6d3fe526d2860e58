import { renderedSecurityScan, runScriptOf } from "./workflow.js";

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

/**
 * The exact text the user gets: each script is read back out of the rendered security-scan.yml (the
 * `run:` of its job and step), so the lifecycle tests execute what a user's runner executes.
 */
export function lifecycleScripts(): LifecycleScripts {
  const workflow = renderedSecurityScan();
  const read = (key: keyof typeof SCRIPT_STEPS) => runScriptOf(workflow, SCRIPT_STEPS[key].job, SCRIPT_STEPS[key].step);
  return {
    trivyDecide: read("trivyDecide"),
    govulncheckScan: read("govulncheckScan"),
    issueLifecycle: read("issueLifecycle"),
  };
}

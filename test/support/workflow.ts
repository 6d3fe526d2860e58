import { parse } from "yaml";
import { renderSecurityScan } from "../../src/render/index.js";
import { renderScanScript, SCRIPTS_DIR } from "../../src/render/scripts.js";
import { viewWith } from "./answers.js";

type Job = { steps: { id?: string; run?: string; env?: Record<string, string> }[] };

/** How security-scan.yml runs one of our script files: from the scripts' own checkout (issue 10). */
export const SCRIPT_RUN = new RegExp(`^bash \\.relay-security/${SCRIPTS_DIR.replace(/[.]/g, "\\.")}/([a-z-]+\\.sh)$`);

/**
 * The script of a step, as GitHub would hand it to bash: the `run:` text, or, for a step that runs one
 * of our script files (`bash .relay-security/.github/relay-security/x.sh`), that file as the user gets it.
 */
export function runScriptOf(workflowText: string, jobId: string, stepId: string): string {
  const jobs = (parse(workflowText) as { jobs: Record<string, Job> }).jobs;
  const run = jobs[jobId]?.steps.find((s) => s.id === stepId)?.run;
  if (run === undefined) throw new Error(`no run: in job ${jobId}, step ${stepId}`);
  const file = SCRIPT_RUN.exec(run.trim())?.[1];
  return file ? renderScanScript(viewWith(), file) : run;
}

/** security-scan.yml as a user with these answers gets it. */
export function renderedSecurityScan(over: Record<string, unknown> = {}): string {
  return renderSecurityScan(viewWith(over));
}

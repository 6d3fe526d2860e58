import { parse } from "yaml";
import { renderSecurityScan } from "../../src/render/index.js";
import { viewWith } from "./answers.js";

type Job = { steps: { id?: string; run?: string; env?: Record<string, string> }[] };

/** The `run:` text of a step, as GitHub would hand it to bash. */
export function runScriptOf(workflowText: string, jobId: string, stepId: string): string {
  const jobs = (parse(workflowText) as { jobs: Record<string, Job> }).jobs;
  const run = jobs[jobId]?.steps.find((s) => s.id === stepId)?.run;
  if (run === undefined) throw new Error(`no run: in job ${jobId}, step ${stepId}`);
  return run;
}

/** security-scan.yml as a user with these answers gets it. */
export function renderedSecurityScan(over: Record<string, unknown> = {}): string {
  return renderSecurityScan(viewWith(over));
}

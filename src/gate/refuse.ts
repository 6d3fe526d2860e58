import type { Workflow } from "./locate.js";
import { scannerOf, type Build, type GateRequest, type GateResult } from "./types.js";

/**
 * Refusals: the caller exits 2 and prints `manual` as it is. Each one says what to add, where, and
 * carries the exact text, so a user can finish by hand what we would not edit (issue 3: "stop with
 * exit 2 and print the step to add by hand"; PRODUCT.md: "Never rewrite the whole file").
 */

type Refusal = Extract<GateResult, { kind: "refuse" }>;

// What makes a pasted gate work: the step calls our database action and names the ignore file, which
// only a run writes (a refusal writes nothing). The re-run finds the step by its id and keeps it.
const THEN_RERUN = [
  "",
  "Then re-run `npx create-relay-security`: it finds the step by its id (relay-security-scan), keeps it",
  "where you put it, and writes the files it calls (the database action in .github/actions/relay-security-db",
  "and the ignore file) with the rest.",
];

/** What we saw on the way (recognised build shapes), after the text to add. */
const seen = (notes: string[]) => (notes.length > 0 ? ["", "What relay-security found:", ...notes.map((n) => `- ${n}`)] : []);

/** The step to add after a build we found but cannot edit around. */
export function refuseStep(file: string, reason: string, build: Build, stepText: string, notes: string[] = []): Refusal {
  return {
    kind: "refuse",
    file,
    reason: `cannot insert the scan step safely: ${reason}`,
    manual: [`Add this step to ${file}, right after ${build.where}:`, "", stepText.trimEnd(), ...THEN_RERUN, ...seen(notes)].join("\n"),
  };
}

/** The job to add when the workflow cannot be edited (or a job named image-scan is in the way). */
export function refuseJob(file: string, reason: string, req: GateRequest, notes: string[] = []): Refusal {
  return {
    kind: "refuse",
    file,
    reason,
    manual: [
      "Add this job under `jobs:` in the workflow that runs on pull_request (it builds the image and scans it;",
      "rename the job key if yours already uses it):",
      "",
      req.job().trimEnd(),
      ...THEN_RERUN,
      ...seen(notes),
    ].join("\n"),
  };
}

export function refuseBroken(wf: Workflow, req: GateRequest): Refusal {
  const where = wf.error ? `line ${wf.error.line}: ${wf.error.message}` : "unknown position";
  const what = wf.error?.message.startsWith("not UTF-8") ? "cannot be edited" : "does not parse as YAML";
  return refuseJob(wf.path, `${what} (${where}); fix it and re-run, or add the gate by hand`, req);
}

/** The Dockerfile needs a binary built before `docker build`, and nothing in the workflow builds the image. */
export function refusePrebuilt(file: string, why: string, req: GateRequest, notes: string[]): Refusal {
  const step = req.step("IMAGE:TAG");
  // trivy-action's input is `image-ref`; anchore/scan-action's (--scanner grype) is `image`.
  const input = scannerOf(step) === "Grype" ? "image" : "image-ref";
  return {
    kind: "refuse",
    file,
    reason:
      `${why}, and ${req.dockerfile} COPYs a binary that none of its stages builds` +
      (req.prebuiltCopy ? ` (line ${req.prebuiltCopy.line}: ${req.prebuiltCopy.text})` : "") +
      " (goreleaser style), " +
      "so a job of ours cannot build the image from a clean checkout",
    manual: [
      `Build the image in ${file} on pull requests the way your release does (for example`,
      "`goreleaser release --snapshot --clean`, or `go build` followed by `docker build -t IMAGE:TAG .`),",
      `then add this step right after that build, with ${input} set to the IMAGE:TAG it produces:`,
      "",
      step.trimEnd(),
      ...THEN_RERUN,
      ...seen(notes),
    ].join("\n"),
  };
}

import { findBuilds } from "./find-builds.js";
import { findOurStep, OUR_JOB_KEY, parseWorkflow, triggers } from "./locate.js";
import type { BuildSpec, GateRequest } from "./types.js";

/**
 * The CI build of the chosen Dockerfile that our job and the rescan copy (issue 10 §3): a pull-request
 * build the gate can follow first, then any pull-request build, then any other (a release workflow's
 * push). Builds that name the Dockerfile come before builds whose path is computed, and any build of
 * an image before one that exports files (navidrome's `target: binary` with `outputs: type=local`).
 */
export function findCiBuild(req: Pick<GateRequest, "workflows" | "dockerfile" | "readFile">): BuildSpec | undefined {
  const found = req.workflows
    .map((w) => parseWorkflow(w.path, w.text))
    .filter((wf) => !wf.error)
    .flatMap((wf) => {
      const pr = triggers(wf).includes("pull_request");
      // Our own image-scan job copies CI's build; it is never the build to copy.
      const ours = findOurStep(wf)?.jobKey === OUR_JOB_KEY;
      return findBuilds(wf, { dockerfile: req.dockerfile, readFile: req.readFile })
        .builds.filter((b) => !(ours && b.jobKey === OUR_JOB_KEY))
        .map((b) => ({ b, pr }));
    });
  const rank = ({ b, pr }: (typeof found)[number]) => (b.spec.exportsFiles ? 8 : 0) + (b.match === "exact" ? 0 : 4) + (pr ? 0 : 2) + (b.gate.ok ? 0 : 1);
  return found.sort((x, y) => rank(x) - rank(y))[0]?.b.spec;
}

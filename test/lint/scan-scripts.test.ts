import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { renderSecurityScan } from "../../src/render/index.js";
import { renderScanScripts, SCRIPTS_DIR } from "../../src/render/scripts.js";
import { viewWith } from "../support/answers.js";
import { SCRIPT_RUN } from "../support/workflow.js";

type Step = { name?: string; uses?: string; run?: string; with?: Record<string, unknown> };
type Workflow = { on: Record<string, unknown>; jobs: Record<string, { steps: Step[] }> };

/** The answers that change which scripts security-scan.yml runs. */
const VARIANTS: Record<string, Record<string, unknown>> = {
  trivy: {},
  grype: { scanner: "grype", sarif: false },
  "--reachability": { reachability: true },
  "--report code-scanning": { report: "code-scanning" },
  "--sarif": { sarif: true },
  "--no-image-scan": { imageScan: false },
  "--harden-runner": { hardenRunner: true },
};

/** Issue 10: the steps' scripts are files we write, run from a checkout of the workflow's own commit. */
describe("security-scan.yml runs its scripts from files", () => {
  for (const [name, over] of Object.entries(VARIANTS)) {
    it(`${name}: each script step runs one of the files written, after a checkout of them without credentials`, () => {
      const view = viewWith(over);
      const wf = parse(renderSecurityScan(view)) as Workflow;
      const written = renderScanScripts(view).map((s) => s.path);
      const ran: string[] = [];
      for (const [jobId, job] of Object.entries(wf.jobs)) {
        job.steps.forEach((step, i) => {
          if (step.run === undefined) return;
          expect(step.run, `${jobId}: no expression in a run: block`).not.toContain("${{");
          const file = SCRIPT_RUN.exec(step.run.trim())?.[1];
          // The other run: blocks are a few lines (the database steps and Install Grype are
          // another issue's: a composite action replaces them).
          if (!file) return void (/database|^Install Grype$/i.test(step.name ?? "") || expect(step.run.split("\n").length, `${jobId}: ${step.name}`).toBeLessThan(10));
          ran.push(`${SCRIPTS_DIR}/${file}`);
          const checkout = job.steps.slice(0, i).find((s) => s.uses?.startsWith("actions/checkout@") && s.with?.path === ".relay-security");
          expect(checkout, `${jobId} checks the scripts out before ${file}`).toBeDefined();
          // The workflow's own commit (no ref:), never a token left behind in .git/config.
          expect(checkout!.with).toEqual({ path: ".relay-security", "sparse-checkout": `${SCRIPTS_DIR}\n.github/actions/relay-security-db\n`, "persist-credentials": false });
        });
      }
      expect([...new Set(ran)].sort()).toEqual([...written].sort());
      // Nothing a pull request could change runs here: the workflow never runs on pull requests.
      expect(Object.keys(wf.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    });
  }

  it.each([["trivy", {}], ["grype", { scanner: "grype", sarif: false }]])(
    "%s: the image job calls our database action from the scripts checkout (the workflow's commit), not from `ref`, which a manual scan of an older tag may not have",
    (_, over) => {
      const steps = (parse(renderSecurityScan(viewWith(over))) as Workflow).jobs["image"]?.steps ?? [];
      const checkout = steps.findIndex((s) => s.with?.path === ".relay-security");
      const call = steps.findIndex((s) => s.uses?.endsWith("/actions/relay-security-db"));
      expect(steps[call]?.uses).toBe("./.relay-security/.github/actions/relay-security-db");
      expect(checkout).toBeGreaterThan(-1);
      expect(checkout).toBeLessThan(call);
      expect(steps[checkout]?.with?.ref).toBeUndefined();
      expect(String(steps[checkout]?.with?.["sparse-checkout"]).split("\n")).toContain(".github/actions/relay-security-db");
    },
  );

  it("the check can fail (control): a scripts checkout that keeps the token is caught", () => {
    const text = renderSecurityScan(viewWith()).replace("relay-security-db\n          persist-credentials: false", "relay-security-db");
    const wf = parse(text) as Workflow;
    const checkouts = Object.values(wf.jobs).flatMap((j) => j.steps).filter((s) => s.with?.path === ".relay-security");
    expect(checkouts.some((s) => s.with?.["persist-credentials"] !== false)).toBe(true);
  });
});

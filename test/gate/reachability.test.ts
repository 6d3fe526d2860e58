/**
 * `--reachability` in the user's workflow (issue 17): the gate step comes with three companion steps
 * (setup-go, govulncheck, the VEX fix-up) directly before it. They are spliced in with it, replaced with
 * it on an upgrade, and removed with it when the option is turned off, every other byte untouched.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { planGate, type GateRequest } from "../../src/gate/index.js";
import { OUR_COMPANION_IDS, OUR_STEP_ID } from "../../src/gate/locate.js";
import { PATHS, renderDbAction, renderGateStep, renderImageScanJob } from "../../src/render/index.js";
import { viewWith } from "../support/answers.js";
import { actionlint, workflowRepo, zizmor } from "../support/linters.js";
import { requireTool } from "../support/tools.js";
import { loadCases, requestFor } from "./helpers.js";

const ON = viewWith({ reachability: true });
const OFF = viewWith();
const withView = (req: GateRequest, view: typeof ON): GateRequest => ({ ...req, step: (ref) => renderGateStep(view, ref), job: () => renderImageScanJob(view) });
const CASES = ["docker-build-basic", "crlf-line-endings", "four-space-indent", "unindented-steps", "comments-between-steps", "no-final-newline", "build-push-action-load"];

function plan(req: GateRequest, text: string) {
  return planGate({ ...req, workflows: req.workflows.map((w, i) => (i === 0 ? { ...w, text } : w)) });
}
const after = (r: ReturnType<typeof planGate>) => {
  if (r.kind !== "edit") throw new Error(`expected an edit, got ${r.kind}`);
  return r.after;
};
type Steps = { id?: string }[];
const ids = (text: string) =>
  Object.values((parse(text) as { jobs: Record<string, { steps?: Steps }> }).jobs).flatMap((j) => (j.steps ?? []).map((s) => s.id ?? "-"));

const actionlintBin = requireTool("actionlint");
const zizmorBin = requireTool("zizmor");

describe.each(loadCases().filter((c) => CASES.includes(c.name)))("--reachability in $name", (c) => {
  const base = requestFor(c);
  const on = withView(base, ON);
  const off = withView(base, OFF);

  it("inserts the three companion steps directly before our step, in the file's line endings", () => {
    const text = after(planGate(on));
    const list = ids(text);
    const at = list.indexOf(OUR_STEP_ID);
    // The database action (issue 18) comes first, then the three reachability steps, then the scan.
    expect(list.slice(at - 4, at + 1)).toEqual(["relay-security-db", ...OUR_COMPANION_IDS.slice(0, 3), OUR_STEP_ID]);
    if (c.input.includes("\r\n")) expect(text.replace(/\r\n/g, "")).not.toContain("\n");
  });

  it("a second run changes nothing", () => {
    expect(plan(on, after(planGate(on))).kind).toBe("unchanged");
  });

  it("turned off: the companion steps go, and the file is what a run without the option writes", () => {
    const plain = after(planGate(off));
    expect(after(plan(off, after(planGate(on))))).toBe(plain);
  });

  it("turned on later: the same file as turning it on from the start", () => {
    expect(after(plan(on, after(planGate(off))))).toBe(after(planGate(on)));
  });
});

describe("--reachability, the spliced workflow", () => {
  const c = loadCases().find((x) => x.name === "docker-build-basic");
  const before = workflowRepo({ "ci.yml": c?.input ?? "" });
  const dir = workflowRepo({ "ci.yml": c ? after(planGate(withView(requestFor(c), ON))) : "", [PATHS.dbAction]: renderDbAction(ON) });
  // What the linters say about the user's own lines stays; our steps may add nothing (kinds, not lines).
  const kinds = (found: string[]) => found.map((f) => f.replace(/^[^:]*:\d+:(\d+:)? /, "")).sort();
  it.skipIf(!actionlintBin)("actionlint (with shellcheck when present) finds nothing new", () => {
    expect(kinds(actionlint(actionlintBin!, dir))).toEqual(kinds(actionlint(actionlintBin!, before)));
  });
  it.skipIf(!zizmorBin)("zizmor (offline, pedantic) finds nothing new", () => {
    expect(kinds(zizmor(zizmorBin!, dir))).toEqual(kinds(zizmor(zizmorBin!, before)));
  });
});

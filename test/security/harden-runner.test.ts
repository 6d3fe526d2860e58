/**
 * Issue 13, item 9: --harden-runner puts step-security/harden-runner (egress-policy: audit) first in
 * every job we write, pinned to the SHA in the shared, verified pins (never one of our own).
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadPins } from "../../src/pins.js";
import { renderCheckWorkflow, renderCi, renderSecurityScan } from "../../src/render/index.js";
import { viewWith } from "../support/answers.js";

type Job = { steps: { name?: string; uses?: string; with?: Record<string, unknown> }[] };
const jobsOf = (text: string) => Object.entries((parse(text) as { jobs: Record<string, Job> }).jobs);
const render = (over: Record<string, unknown>) => {
  const v = viewWith(over);
  return { "security-scan.yml": renderSecurityScan(v), "ci.yml": renderCi(v), "relay-security-check.yml": renderCheckWorkflow(v) };
};
// data/pins.json carries the SHA from the verified shared pins (tag^{commit}); the template cannot name another.
const pin = loadPins().actions["step-security/harden-runner"];

describe("--harden-runner", () => {
  it.each([["trivy, sarif", { sarif: true }], ["grype", { scanner: "grype", sarif: false }]])("%s: first step of every job, egress audit, the verified pin", (_n, over) => {
    expect(pin?.sha).toMatch(/^[0-9a-f]{40}$/);
    for (const [file, text] of Object.entries(render({ ...over, hardenRunner: true }))) {
      for (const [job, { steps }] of jobsOf(text)) {
        expect(steps[0]?.uses, `${file} ${job}`).toBe(`step-security/harden-runner@${pin?.sha}`);
        expect(steps[0]?.with, `${file} ${job}`).toEqual({ "egress-policy": "audit" });
        expect(text).toContain(`step-security/harden-runner@${pin?.sha} # ${pin?.tag}`);
      }
    }
  });

  it("off by default: no job has it", () => {
    for (const text of Object.values(render({ sarif: true }))) expect(text).not.toContain("harden-runner");
  });
});

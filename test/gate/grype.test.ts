import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { planGate, type GateRequest } from "../../src/gate/index.js";
import { renderGateStep, renderImageScanJob } from "../../src/render/index.js";
import { loadCases, requestFor, VIEW } from "./helpers.js";
import { viewWith } from "../support/answers.js";

/** The gate fixtures' view with `--scanner grype`. */
const GRYPE = viewWith({ scanner: "grype" });
const grypeRequest = (req: GateRequest): GateRequest => ({ ...req, step: (ref, condition) => renderGateStep(GRYPE, ref, condition), job: () => renderImageScanJob(GRYPE) });

type Step = { id?: string; uses?: string; with?: Record<string, unknown> };
const ourSteps = (text: string) =>
  Object.values((parse(text) as { jobs: Record<string, { steps?: Step[] }> }).jobs).flatMap((j) => (j.steps ?? []).filter((s) => s.id === "relay-security-scan"));

describe("the gate with --scanner grype: same decisions, scan-action in our step", () => {
  for (const c of loadCases()) {
    it(`${c.name}: the Trivy fixture's decision, and a second run changes nothing`, () => {
      const trivy = planGate(requestFor(c));
      const grype = planGate(grypeRequest(requestFor(c)));
      // A fixture that already holds our Trivy step is a scanner switch for Grype (tested below).
      if (!c.input.includes("relay-security-scan")) expect(grype.kind).toBe(trivy.kind);
      else expect(grype.kind).toBe(trivy.kind === "unchanged" ? "edit" : trivy.kind);
      if (grype.kind !== "edit" || trivy.kind !== "edit") return;
      expect(grype.file).toBe(trivy.file);
      expect(grype.addedLoad).toBe(trivy.addedLoad);
      const ours = ourSteps(grype.after);
      if (ours.length > 0) {
        expect(ours).toHaveLength(1);
        expect(ours[0]!.uses).toMatch(/^anchore\/scan-action@[0-9a-f]{40}$/);
        // The image reference the Trivy step would scan, now under scan-action's input name.
        expect(ours[0]!.with?.["image"]).toBe(ourSteps(trivy.after)[0]?.with?.["image-ref"]);
      }
      // Our own scan-action step is found by its id: never taken for a scanner that is already there.
      const again = planGate(grypeRequest(requestFor(c, grype.after)));
      expect(again.kind).toBe("unchanged");
    });
  }

  it("summaries name Grype", () => {
    const inserted = loadCases().filter((k) => {
      const r = planGate(requestFor(k));
      return r.kind === "edit" && r.summary.startsWith("inserted the Trivy step after ");
    });
    expect(inserted.length).toBeGreaterThan(5);
    for (const c of inserted) {
      const r = planGate(grypeRequest(requestFor(c)));
      expect(r.kind === "edit" && r.summary).toMatch(/^inserted the Grype step after /);
    }
  });

  it("switching scanners replaces our Trivy step in place (by id), keeping the image it scanned", () => {
    const c = loadCases().find((k) => k.name === "ours-identical")!;
    const r = planGate(grypeRequest(requestFor(c)));
    expect(r.kind).toBe("edit");
    if (r.kind !== "edit") return;
    expect(r.summary).toMatch(/^updated the Grype step in job test in place/);
    const [before] = ourSteps(c.input);
    const [after] = ourSteps(r.after);
    expect(after?.uses).toMatch(/^anchore\/scan-action@/);
    expect(after?.with?.["image"]).toBe(before?.with?.["image-ref"]);
    expect(ourSteps(r.after)).toHaveLength(1);
    // And back: the scan-action step's `image` is read when no build before it names the image.
    const back = planGate({ ...requestFor(c, r.after), step: (ref, condition) => renderGateStep(VIEW, ref, condition) });
    expect(back.kind).toBe("edit");
    // The whole block of our steps (database steps, scan, note) is replaced: back to today's Trivy gate.
    if (back.kind === "edit") expect(back.after).toBe(readFileSync(join(c.dir, "expected.yml"), "utf8"));
  });

  it("a user's own scan-action step is an existing scanner: no second gate, and the note offers ours", () => {
    const wf = [
      "on: pull_request",
      "jobs:",
      "  build:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - run: docker build -t app:pr .",
      "      - uses: anchore/scan-action@v6",
      "        with:",
      "          image: app:pr",
      "",
    ].join("\n");
    const r = planGate(grypeRequest({ ...requestFor(loadCases()[0]!), workflows: [{ path: ".github/workflows/ci.yml", text: wf }] }));
    expect(r.kind).toBe("already-scanned");
    if (r.kind !== "already-scanned") return;
    expect(r.summary).toContain("anchore/scan-action");
    expect(r.notes.join("\n")).toMatch(/same Grype version, severity cutoff, only-fixed and \.grype\.yaml[\s\S]*image: 'app:pr'/);
  });
});

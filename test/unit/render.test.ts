import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { answersSchema } from "../../src/answers/schema.js";
import { yamlQuote } from "../../src/render/engine.js";
import { buildView, renderCi, renderGateStep, renderImageScanJob, renderSecurityScan, renderTrivyignore } from "../../src/render/index.js";
import { cronFor } from "../../src/render/schedule.js";

const answers = (over: Record<string, unknown> = {}) =>
  answersSchema.parse({
    image: "ghcr.io/acme/svc",
    dockerfile: "build/Dockerfile",
    context: ".",
    branch: "main",
    schedule: "daily",
    severity: "CRITICAL,HIGH",
    label: "security",
    updater: "renovate",
    scanner: "trivy",
    imageScan: true,
    sarif: false,
    ...over,
  });
const view = (over: Record<string, unknown> = {}) => buildView({ answers: answers(over), modulePath: "example.com/svc", goModFile: "go.mod" });

type Workflow = { on: { schedule: { cron: string }[] }; permissions: unknown; jobs: Record<string, { permissions: Record<string, string>; steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] }> };

describe("yamlQuote", () => {
  it.each(["plain", "it's", "a: b # c", "${{ x }}", "'quoted'", "* & ! | > % @ `"])("round-trips %j", (value) => {
    expect(parse(`k: ${yamlQuote(value)}`)).toEqual({ k: value });
  });
  it("refuses newlines", () => expect(() => yamlQuote("a\nb")).toThrow());
});

describe("security-scan.yml", () => {
  const variants = {
    daily: {},
    weekly: { schedule: "weekly" },
    cron: { schedule: "23 6 * * 2" },
    sarif: { sarif: true },
    "no image scan": { imageScan: false, dockerfile: undefined },
  };
  for (const [name, over] of Object.entries(variants)) {
    it(`${name}: parses, pins every action, keeps write permissions to the issues job`, () => {
      const text = renderSecurityScan(view(over));
      const doc = parse(text) as Workflow;
      expect(doc.permissions).toEqual({ contents: "read" });
      expect(doc.on.schedule[0]?.cron.split(" ")[0]).not.toBe("0");
      for (const [id, job] of Object.entries(doc.jobs)) {
        const writes = Object.entries(job.permissions).filter(([, v]) => v === "write").map(([k]) => k);
        expect(writes).toEqual(id === "issues" ? ["issues"] : id === "code-scanning" ? ["security-events"] : []);
        for (const step of job.steps) {
          if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
          if (step.run) expect(step.run).not.toContain("${{");
        }
      }
      for (const line of text.split("\n").filter((l) => /^\s*(- )?uses: /.test(l))) expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      expect(text).not.toMatch(/@latest|version: latest/);
      expect(Object.keys(doc.jobs)).toEqual(
        "imageScan" in over ? ["govulncheck", "issues"] : "sarif" in over ? ["image", "govulncheck", "issues", "code-scanning"] : ["image", "govulncheck", "issues"],
      );
    });
  }

  it("the issues job checks out nothing and runs no scanner", () => {
    const job = (parse(renderSecurityScan(view())) as Workflow).jobs.issues!;
    expect(job.steps.map((s) => s.uses?.split("@")[0])).toEqual(["actions/download-artifact", undefined]);
    expect(job.steps[1]?.run).not.toMatch(/^\s*(trivy|grype|govulncheck|docker|go) /m);
  });

  it("the rescan uses exactly the gate's policy", () => {
    const scan = (parse(renderSecurityScan(view({ severity: "CRITICAL" }))) as Workflow).jobs.image!.steps.find((s) => s.uses?.startsWith("aquasecurity/trivy-action"))!;
    const gate = (parse(renderGateStep(view({ severity: "CRITICAL" }), "x")) as { with: Record<string, unknown> }[])[0]!;
    for (const key of ["version", "scanners", "vuln-type", "severity", "ignore-unfixed", "trivyignores"]) expect(scan.with?.[key]).toEqual(gate.with[key]);
    expect(gate.with.severity).toBe("CRITICAL");
    expect(gate.with["exit-code"]).toBe("1");
    expect(scan.with?.["exit-code"]).toBe("0");
  });
});

describe("schedule", () => {
  it("is stable for a repository, off the hour, and differs across repositories", () => {
    expect(cronFor("daily", "ghcr.io/a/b")).toEqual(cronFor("daily", "ghcr.io/a/b"));
    const minutes = new Set(["a", "b", "c", "d", "e", "f"].map((r) => cronFor("daily", `ghcr.io/x/${r}`).cron.split(" ")[0]));
    expect(minutes.has("0")).toBe(false);
    expect(minutes.size).toBeGreaterThan(1);
    expect(cronFor("weekly", "x").cron).toMatch(/^\d+ \d+ \* \* 1$/);
  });
});

describe("ci.yml, the gate step and the image-scan job", () => {
  it("ci.yml parses and contains the image-scan job with the gate", () => {
    const doc = parse(renderCi(view())) as Workflow;
    expect(Object.keys(doc.jobs)).toEqual(["test", "image-scan"]);
    const steps = doc.jobs["image-scan"]!.steps;
    expect(steps.at(-1)?.with?.["image-ref"]).toBe("${{ env.IMAGE_REF }}");
  });
  it("the gate step carries our id and quotes the image reference", () => {
    const [step] = parse(renderGateStep(view(), "ghcr.io/acme/svc:${{ github.sha }}")) as { id: string; with: Record<string, string> }[];
    expect(step?.id).toBe("relay-security-scan");
    expect(step?.with["image-ref"]).toBe("ghcr.io/acme/svc:${{ github.sha }}");
  });
  it("the job parses as a mapping entry", () => {
    expect(Object.keys(parse(renderImageScanJob(view())) as object)).toEqual(["image-scan"]);
  });
  it(".trivyignore has no active entry", () => {
    expect(renderTrivyignore(view()).split("\n").filter((l) => l.trim() && !l.startsWith("#"))).toEqual([]);
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { yamlQuote } from "../../src/render/engine.js";
import { renderCi, renderGateStep, renderGrypeIgnore, renderIgnoreFile, renderImageScanJob, renderSecurityScan, renderTrivyignore } from "../../src/render/index.js";
import { cronFor } from "../../src/render/schedule.js";
import { viewWith } from "../support/answers.js";
import { runScriptOf } from "../support/workflow.js";

const view = viewWith;

type Workflow = { on: { schedule: { cron: string }[] }; permissions: unknown; jobs: Record<string, { permissions: Record<string, string>; steps: { id?: string; uses?: string; run?: string; with?: Record<string, unknown> }[] }> };

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
    grype: { scanner: "grype" },
    "grype, no image scan": { scanner: "grype", imageScan: false, dockerfile: undefined },
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
          // Our own local action (one copy of the database steps) is the only `uses:` without a SHA.
          if (step.uses) expect(step.uses).toMatch(/^(?:[\w.-]+\/[\w./-]+@[0-9a-f]{40}|\.\/(?:\.relay-security\/)?\.github\/actions\/relay-security-db)$/);
          if (step.run) expect(step.run).not.toContain("${{");
        }
      }
      for (const line of text.split("\n").filter((l) => /^\s*(- )?uses: (?!\.\/)/.test(l))) expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      expect(text).not.toMatch(/@latest|version: latest/);
      expect(Object.keys(doc.jobs)).toEqual(
        "imageScan" in over ? ["govulncheck", "issues"] : "sarif" in over ? ["image", "govulncheck", "issues", "code-scanning"] : ["image", "govulncheck", "issues"],
      );
    });
  }

  it("the issues job acts only when a scan finished (a status), so a failed scan files and closes nothing", () => {
    const doc = parse(renderSecurityScan(view())) as { jobs: Record<string, { outputs?: Record<string, string>; steps: { name?: string; if?: string }[] }> };
    expect(doc.jobs.image?.outputs?.status).toBe("${{ steps.decide.outputs.status }}");
    expect(doc.jobs.govulncheck?.outputs?.status).toBe("${{ steps.scan.outputs.status }}");
    // Every step that acts; the checkout of our scripts before them reads only this repository.
    const acting = (doc.jobs.issues?.steps ?? []).filter((s) => s.name !== "Check out relay-security's scripts");
    expect(acting).toHaveLength(2);
    for (const step of acting) expect(step.if).toBe("needs.image.outputs.status != '' || needs.govulncheck.outputs.status != ''");
  });

  it.each(["trivy", "grype"])("the issues job checks out only our scripts, at the workflow's commit, and runs no scanner (%s)", (scanner) => {
    const text = renderSecurityScan(view({ scanner }));
    const job = (parse(text) as Workflow).jobs.issues!;
    expect(job.steps.map((s) => s.uses?.split("@")[0])).toEqual(["actions/checkout", "actions/download-artifact", undefined]);
    // No ref: the commit this workflow file comes from (the default branch on the schedule), not `inputs.ref`.
    expect(job.steps[0]?.with).toEqual({ path: ".relay-security", "sparse-checkout": ".github/relay-security\n.github/actions/relay-security-db\n", "persist-credentials": false });
    expect(job.permissions).toEqual({ contents: "read", issues: "write" });
    expect(job.steps[2]?.run).toBe("bash .relay-security/.github/relay-security/issue-lifecycle.sh");
    expect(runScriptOf(text, "issues", "issues")).not.toMatch(/^\s*(trivy|grype|govulncheck|docker|go) /m);
  });

  it("the rescan uses exactly the gate's policy", () => {
    const scan = (parse(renderSecurityScan(view({ severity: "CRITICAL" }))) as Workflow).jobs.image!.steps.find((s) => s.uses?.startsWith("aquasecurity/trivy-action"))!;
    const gate = (parse(renderGateStep(view({ severity: "CRITICAL" }), "x")) as { id: string; with: Record<string, unknown> }[]).find((s) => s.id === "relay-security-scan")!;
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
    expect(steps.find((s) => s.id === "relay-security-scan")?.with?.["image-ref"]).toBe("${{ env.IMAGE_REF }}");
  });
  it("the gate step carries our id and quotes the image reference", () => {
    const steps = parse(renderGateStep(view(), "ghcr.io/acme/svc:${{ github.sha }}")) as { id: string; with: Record<string, string> }[];
    // Our database action, then the scan: one block of our ids (the action says itself when it failed).
    expect(steps.map((s) => s.id)).toEqual(["relay-security-db", "relay-security-scan"]);
    const step = steps.find((s) => s.id === "relay-security-scan");
    expect(step?.with["image-ref"]).toBe("ghcr.io/acme/svc:${{ github.sha }}");
  });
  it("the job parses as a mapping entry", () => {
    expect(Object.keys(parse(renderImageScanJob(view())) as object)).toEqual(["image-scan"]);
  });
  it(".trivyignore has no active entry", () => {
    expect(renderTrivyignore(view()).split("\n").filter((l) => l.trim() && !l.startsWith("#"))).toEqual([]);
  });
});

describe("--scanner grype", () => {
  type Step = { id?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, unknown> };
  const grype = (over: Record<string, unknown> = {}) => view({ scanner: "grype", ...over });
  const scanDoc = (over: Record<string, unknown> = {}) => parse(renderSecurityScan(grype(over))) as { jobs: Record<string, { name?: string; steps: Step[] }> };
  const gateOf = (over: Record<string, unknown> = {}) => (parse(renderGateStep(grype(over), "ghcr.io/acme/svc:${{ github.sha }}")) as (Step & { id: string })[]).find((s) => s.id === "relay-security-scan")!;

  it("the view: Grype's ignore file, version, threshold and targets", () => {
    expect(grype()).toMatchObject({ scanner: "grype", grype: true, ignoreFile: ".grype.yaml", grypeVersion: "v0.122.0", severityCutoff: "high", targets: "grype-image govulncheck", sarif: false });
    expect(view()).toMatchObject({ scanner: "trivy", grype: false, ignoreFile: ".trivyignore", targets: "trivy-image govulncheck" });
    expect(grype({ imageScan: false, dockerfile: undefined }).targets).toBe("govulncheck");
    expect(grype({ severity: "CRITICAL" }).severityCutoff).toBe("critical");
    expect(grype({ severity: "CRITICAL,HIGH,MEDIUM" }).severityCutoff).toBe("medium");
  });

  it("the gate step: scan-action pinned, our id, the policy, the grype version under its Renovate marker", () => {
    const text = renderGateStep(grype(), "ghcr.io/acme/svc:${{ github.sha }}");
    const step = gateOf();
    expect(step.id).toBe("relay-security-scan");
    expect(step.uses).toBe("anchore/scan-action@e1165082ffb1fe366ebaf02d8526e7c4989ea9d2");
    expect(text).toContain("uses: anchore/scan-action@e1165082ffb1fe366ebaf02d8526e7c4989ea9d2 # v7.4.0\n");
    expect(step.with).toEqual({
      image: "ghcr.io/acme/svc:${{ github.sha }}",
      "grype-version": "v0.122.0",
      "only-fixed": true,
      "severity-cutoff": "high",
      "fail-build": true,
      "output-format": "table",
      config: ".grype.yaml",
    });
    // Grype from go install, the database from our steps: scan-action installs nothing and checks for no update.
    expect(step.env).toEqual({ GRYPE_DB_AUTO_UPDATE: "false", GRYPE_DB_CACHE_DIR: "${{ runner.temp }}/relay-security/grype/db" });
    expect(text).toMatch(/\n {4}# renovate: datasource=github-releases depName=anchore\/grype\n {4}grype-version: v0\.122\.0\n/);
    // The database action installs the same version (its `version` input, under the same marker).
    expect(text).toMatch(/\n {2}uses: \.\/\.github\/actions\/relay-security-db\n {2}with:\n {4}# renovate: datasource=github-releases depName=anchore\/grype\n {4}version: v0\.122\.0\n/);
    expect(text.startsWith("# Added by relay-security")).toBe(true);
    expect(text).not.toMatch(/trivy/i);
  });

  it("the rescan uses the gate's policy, JSON to a file, no fail-build; decide and issues get the same cutoff", () => {
    for (const severity of ["CRITICAL", "CRITICAL,HIGH,MEDIUM"]) {
      const doc = scanDoc({ severity });
      const image = doc.jobs.image!;
      expect(image.name).toBe("Image scan (Grype)");
      const scan = image.steps.find((s) => s.uses?.startsWith("anchore/scan-action"))!;
      const gate = gateOf({ severity });
      for (const key of ["grype-version", "only-fixed", "severity-cutoff", "config"]) expect(scan.with?.[key]).toEqual(gate.with?.[key]);
      expect(scan.env).toEqual(gate.env);
      expect(scan.with).toMatchObject({ image: "${{ env.IMAGE_REF }}", "fail-build": false, "output-format": "json", "output-file": "grype-results.json" });
      const decide = image.steps.find((s) => s.id === "decide")!;
      expect(decide.env).toEqual({ RESULTS_FILE: "grype-results.json", OUT_DIR: "relay-security-results/grype-image", SEVERITY_CUTOFF: gate.with?.["severity-cutoff"] });
      expect(decide.run).toBe("bash .relay-security/.github/relay-security/grype-decide.sh");
      expect(runScriptOf(renderSecurityScan(grype({ severity })), "image", "decide").endsWith(`\n${readFileSync(new URL("../../templates/scripts/grype-decide.sh", import.meta.url), "utf8")}`)).toBe(true);
      const upload = image.steps.find((s) => s.uses?.startsWith("actions/upload-artifact"))!;
      expect(upload.with).toMatchObject({ name: "relay-security-results-grype-image", path: "relay-security-results" });
      const issues = doc.jobs.issues!.steps.find((s) => s.id === "issues")!;
      expect(issues.env).toMatchObject({ TARGETS: "grype-image govulncheck", SEVERITY_CUTOFF: gate.with?.["severity-cutoff"] });
    }
    // Trivy appears only in the shared issue script (its trivy-* branch), never in a job or an env.
    const doc = scanDoc();
    expect(JSON.stringify(doc.jobs.image)).not.toMatch(/trivy/i);
    expect(JSON.stringify(doc.jobs.issues!.steps.find((s) => s.id === "issues")!.env)).not.toMatch(/trivy/i);
  });

  it("the issues job runs the same script as the Trivy variant", () => {
    const issuesRun = (scanner: string) => (parse(renderSecurityScan(view({ scanner }))) as { jobs: Record<string, { steps: Step[] }> }).jobs.issues!.steps.find((s) => s.id === "issues")!.run;
    expect(issuesRun("grype")).toBe(issuesRun("trivy"));
  });

  it("ci.yml and the image-scan job build and scan with Grype", () => {
    const ci = parse(renderCi(grype())) as { jobs: Record<string, { name: string; steps: Step[] }> };
    const job = ci.jobs["image-scan"]!;
    expect(job.name).toBe("Image scan (Grype)");
    expect(job.steps.find((s) => s.id === "relay-security-scan")).toMatchObject({ id: "relay-security-scan", with: { image: "${{ env.IMAGE_REF }}", config: ".grype.yaml" } });
    expect(Object.keys(parse(renderImageScanJob(grype())) as object)).toEqual(["image-scan"]);
  });

  it(".grype.yaml: a commented header with the rule and no active entry", () => {
    const text = renderGrypeIgnore(grype());
    expect(renderIgnoreFile(grype())).toBe(text);
    expect(renderIgnoreFile(view())).toBe(renderTrivyignore(view()));
    expect(parse(text)).toEqual({ ignore: [] });
    expect(text).toMatch(/# WHY:/);
    expect(text).toMatch(/# TODO\(YYYY-MM-DD\):/);
    expect(text).toMatch(/no expiry/);
  });
});

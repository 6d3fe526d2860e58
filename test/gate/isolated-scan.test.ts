import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadPins } from "../../src/pins.js";
import { PATHS } from "../../src/render/index.js";
import { renderInitReport } from "../../src/report/init.js";
import { runCli } from "../support/cli.js";
import { actionlint, workflowRepo, zizmor } from "../support/linters.js";
import { git, makeRepo } from "../support/repo.js";
import { requireTool } from "../support/tools.js";
import { commitAll, upgrade } from "../upgrade/support.js";
import { LINT_CLEAN_CI, pin, PRIVILEGED_CI } from "./build-job.js";

// Issue 20 item 7: --isolated-scan scans the image in a job of its own, away from the build job's logins.
const CI = ".github/workflows/ci.yml";
const pins = loadPins().actions;
const ci = PRIVILEGED_CI;

type Step = { id?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = { needs?: string; permissions?: Record<string, string>; steps: Step[] };
const jobs = (text: string) => (parse(text.replace(/^\uFEFF/, "")) as { jobs: Record<string, Job> }).jobs;

const VARIANTS: [string, (t: string) => string][] = [
  ["LF", (t) => t],
  ["CRLF", (t) => t.replace(/\n/g, "\r\n")],
  ["BOM", (t) => `\uFEFF${t}`],
  ["non-UTF-8 comment", (t) => t.replace("# the build job pushes on main", `# ${Buffer.from("gepr\xfcft", "latin1").toString("utf8")}`)],
];

describe("--isolated-scan", () => {
  for (const [variant, shape] of VARIANTS) {
    it(`splices only save + upload into the build job and adds a scan job with contents: read (${variant})`, async () => {
      const before = shape(ci);
      const dir = makeRepo("example", { files: { [CI]: before } });
      const { exitCode, report } = await upgrade(dir, { flags: { isolatedScan: true } });
      expect(exitCode, renderInitReport(report)).toBe(0);
      const after = readFileSync(join(dir, CI), "utf8");
      // Every byte of the user's file is still there, in order: ours is inserted after the build step and appended as a job.
      const buildEnd = before.indexOf("      - name: Push on main");
      expect(after.startsWith(before.slice(0, buildEnd))).toBe(true);
      expect(after).toContain(before.slice(buildEnd));
      if (variant === "CRLF") expect(after.replace(/\r\n/g, "")).not.toContain("\n");
      const j = jobs(after);
      const build = j["build"]?.steps ?? [];
      const ids = build.map((s) => s.id ?? s.uses?.split("@")[0] ?? s.run?.split(" ")[0]);
      expect(ids).toEqual(["actions/checkout", "docker/login-action", "docker", "relay-security-save", "relay-security-scan", "docker"]);
      expect(build[3]?.env).toEqual({ IMAGE_REF: "ghcr.io/acme/hello-service:${{ github.sha }}", SCAN_REF: "relay-security/image:scan" });
      expect(build[4]?.uses).toBe(`actions/upload-artifact@${pins["actions/upload-artifact"]?.sha}`);
      expect(build.some((s) => s.uses?.startsWith("aquasecurity/"))).toBe(false); // no scanner next to the login
      const scan = j["relay-security-image-scan"];
      expect(scan?.needs).toBe("build");
      expect(scan?.permissions).toEqual({ contents: "read" });
      // The image, then the gate's block: our database action (issue 18, after the checkout it needs), the scan.
      expect(scan?.steps.map((s) => s.uses?.split("@")[0] ?? s.id)).toEqual([
        "actions/checkout", "actions/download-artifact", undefined, "./.github/actions/relay-security-db", "aquasecurity/trivy-action",
      ]);
      expect(scan?.steps[0]?.with).toEqual({ "persist-credentials": false });
      expect(scan?.steps[1]?.uses).toBe(`actions/download-artifact@${pins["actions/download-artifact"]?.sha}`);
      expect(scan?.steps[4]?.with).toMatchObject({ "image-ref": "relay-security/image:scan", severity: "CRITICAL,HIGH", "ignore-unfixed": true, "exit-code": "1", trivyignores: ".trivyignore" });
      expect(after).toContain(`uses: ${pin("actions/upload-artifact")}`);
      expect(after).toContain(`uses: ${pin("actions/download-artifact")}`);
      // The scanner is no longer next to what the build job holds: no warning about it.
      expect(report.plan.notes.join("\n")).not.toMatch(/holds more than/);

      commitAll(dir, "isolated");
      const again = await upgrade(dir);
      expect(renderInitReport(again.report)).toMatch(/^Nothing to do/);
      expect(readFileSync(join(dir, CI), "utf8")).toBe(after);
    });
  }

  it("without it, the plan names what the build job holds; turning it off later leaves the job to remove, and says so", async () => {
    const dir = makeRepo("example", { files: { [CI]: ci } });
    const plain = await upgrade(dir, { dryRun: true });
    expect(plain.report.plan.notes.join("\n")).toMatch(/job build, which holds more than `contents: read`: `packages: write`; a persisted checkout token .*; a registry login \(docker\/login-action/);
    await upgrade(dir, { flags: { isolatedScan: true } });
    commitAll(dir, "isolated");
    writeFileSync(join(dir, "answers.json"), JSON.stringify({ isolatedScan: false }));
    const off = await upgrade(dir, { answersFile: join(dir, "answers.json") });
    const text = readFileSync(join(dir, CI), "utf8");
    expect(jobs(text)["build"]?.steps.map((s) => s.id).filter(Boolean)).toEqual(["relay-security-db", "relay-security-scan"]);
    expect(jobs(text)["build"]?.steps.find((s) => s.id === "relay-security-scan")?.uses).toMatch(/^aquasecurity\/trivy-action@/);
    expect(off.report.plan.notes.join("\n")).toContain("job relay-security-image-scan is left from --isolated-scan, which is now off; remove it by hand");
    expect(git(dir, "status", "--porcelain")).toContain(CI);
  });

  it("with --reachability: refused, exit 2, naming both flags", () => {
    const r = runCli(["--yes", "--isolated-scan", "--reachability", makeRepo("example", { files: { [CI]: ci } })]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--isolated-scan: --isolated-scan cannot be combined with --reachability/);
  });

  const actionlintBin = requireTool("actionlint");
  const zizmorBin = requireTool("zizmor");
  const shellcheck = requireTool("shellcheck");
  for (const [name, flags] of [["trivy", {}], ["grype", { scanner: "grype" }]] as const) {
    it.skipIf(!actionlintBin || !shellcheck || !zizmorBin)(`the rendered ci.yml passes actionlint (with shellcheck) and zizmor (${name})`, async () => {
      const dir = makeRepo("example", { files: { [CI]: LINT_CLEAN_CI } });
      const { report } = await upgrade(dir, { flags: { isolatedScan: true, ...flags } });
      expect(report.plan.gate.kind).toBe("edit");
      // With the action the set-up wrote, so actionlint checks the inputs our step passes it.
      const lint = workflowRepo({ "ci.yml": readFileSync(join(dir, CI), "utf8"), [PATHS.dbAction]: readFileSync(join(dir, PATHS.dbAction), "utf8") });
      expect(actionlint(actionlintBin!, lint)).toEqual([]);
      expect(zizmor(zizmorBin!, lint)).toEqual([]);
    });
  }
});

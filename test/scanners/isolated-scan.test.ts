/**
 * --isolated-scan (issue 20 item 7), proven with the real Trivy: the scan step of the isolated job, as
 * rendered, run on a `docker save` archive (what the build job uploads and the scan job loads). It must
 * hold the gate's policy exactly, and scan the image under the tag the save step gives it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderGateStep, renderIsolatedScanJob } from "../../src/render/index.js";
import { viewWith } from "../support/answers.js";
import { trivyFixtures, VULN, type TrivyFixtures } from "../support/scanner-fixtures.js";
import { requireTool } from "../support/tools.js";
import { renderedGateWith, runTrivyStep, workspace } from "./helpers.js";

const trivy = requireTool("trivy");
const go = requireTool("go");

type Step = { id?: string; uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown> };
const view = viewWith({ isolatedScan: true });
const job = (parse(renderIsolatedScanJob(view, "build")) as Record<string, { steps: Step[] }>)["relay-security-image-scan"];
const scanStep = job?.steps.find((s) => s.uses?.startsWith("aquasecurity/trivy-action@"));
const saveStep = (parse(renderGateStep(view, "ghcr.io/acme/svc:${{ github.sha }}")) as Step[]).find((s) => s.id === "relay-security-save");

describe("the isolated scan job's step", () => {
  it("scans the tag the save step writes, with the gate's exact policy", () => {
    expect(saveStep?.env?.["SCAN_REF"]).toBe(scanStep?.with?.["image-ref"]);
    expect(job?.steps.find((s) => s.run?.startsWith("docker load"))?.run).toBe("docker load --input relay-security-image.tar");
    expect(saveStep?.run).toContain('docker save --output relay-security-image.tar "$SCAN_REF"');
    const { "image-ref": _isolated, ...policy } = scanStep?.with ?? {};
    const { "image-ref": _inJob, ...gatePolicy } = renderedGateWith();
    expect(policy).toEqual(gatePolicy);
  });
});

describe.skipIf(!trivy || !go)("the isolated scan step, run by the real Trivy on a saved image", () => {
  let fx: TrivyFixtures;
  beforeAll(() => {
    fx = trivyFixtures();
  });
  const run = (image: keyof TrivyFixtures["images"], cwd?: string) => runTrivyStep(trivy ?? "", scanStep?.with ?? {}, { archive: fx.images[image], cacheDir: fx.cacheDir, ...(cwd ? { cwd } : {}) });

  it("fails on a fixable CRITICAL", async () => {
    const r = await run("openssl");
    expect(r.vulns).toEqual([`${VULN.openssl} libcrypto3`]);
    expect(r.exitCode).toBe(1);
  });

  it("passes once .trivyignore (from the job's checkout) accepts it until a future date; control: a past date fails", async () => {
    const entry = (exp: string) => `\n# WHY: fixture\n# TODO(2099-01-01): fixture\n${VULN.openssl} exp:${exp}\n`;
    expect((await run("openssl", workspace(entry("2099-01-01")))).exitCode).toBe(0);
    expect((await run("openssl", workspace(entry("2000-01-01")))).exitCode).toBe(1);
  });
});

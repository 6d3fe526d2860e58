import { describe, expect, it } from "vitest";
import { buildView, renderCheckWorkflow, renderCi, renderSecurityDb, renderSecurityScan } from "../../src/render/index.js";
import { actionlint, workflowRepo, zizmor } from "../support/linters.js";
import { requireTool } from "../support/tools.js";
import { answersWith, viewWith } from "../support/answers.js";

const actionlintBin = requireTool("actionlint");
const zizmorBin = requireTool("zizmor");
const shellcheck = requireTool("shellcheck");

const VARIANTS: Record<string, Record<string, unknown>> = {
  daily: {},
  weekly: { schedule: "weekly" },
  "custom cron": { schedule: "41 3 * * 1-5" },
  "sarif on": { sarif: true },
  "harden-runner, sarif on": { hardenRunner: true, sarif: true },
  "harden-runner, grype": { hardenRunner: true, scanner: "grype", sarif: false },
  "no image scan": { imageScan: false, dockerfile: undefined },
  "severity CRITICAL, dockerfile in a subfolder": { severity: "CRITICAL", dockerfile: "deploy/Dockerfile", context: "." },
  // --scanner grype: SARIF is refused by the answers schema with grype, so sarif stays off here.
  grype: { scanner: "grype", sarif: false },
  // --reachability: ci.yml's image-scan job carries setup-go, govulncheck and the VEX step before the gate.
  "reachability on": { reachability: true },
  "reachability on, sarif on": { reachability: true, sarif: true },
  "grype, weekly, severity down to MEDIUM": { scanner: "grype", sarif: false, schedule: "weekly", severity: "CRITICAL,HIGH,MEDIUM" },
  // --report code-scanning (issue 20 item 8): no issues job, the scanner jobs upload SARIF themselves.
  "report to code scanning": { report: "code-scanning" },
  "report to code scanning, sarif on, reachability on": { report: "code-scanning", sarif: true, reachability: true },
  "report to code scanning, no image scan": { report: "code-scanning", imageScan: false, dockerfile: undefined },
  "grype, no image scan": { scanner: "grype", sarif: false, imageScan: false, dockerfile: undefined },
  "another Trivy database repository": { dbRepository: "mirror.example.com/aquasec/trivy-db:2,ghcr.io/aquasecurity/trivy-db:2" },
  "grype, another database URL": { scanner: "grype", sarif: false, dbRepository: "https://grype.example.com/databases/v6/latest.json" },
};

// CI's build carried into our job and the rescan (issue 10 §3): target, platform, build args with quotes.
const BUILD = { dockerfile: "services/api/Dockerfile", context: "services/api", target: "runtime", platform: "linux/amd64", args: ["BUILD_IMAGE=golang:1.25.4", "NOTE=it's \"quoted\" $HOME `x`"] };
VARIANTS["build options from CI"] = { __build: BUILD };
VARIANTS["build options from CI, grype"] = { __build: BUILD, scanner: "grype", sarif: false };

const render = ({ __build, ...over }: Record<string, unknown>) => {
  const view = __build ? buildView({ answers: answersWith(over), modulePath: "example.com/svc", goModFile: "go.mod", build: __build as typeof BUILD }) : viewWith(over);
  return { "security-scan.yml": renderSecurityScan(view), "ci.yml": renderCi(view), "relay-security-check.yml": renderCheckWorkflow(view), ...(view.imageScan ? { "security-db.yml": renderSecurityDb(view) } : {}) };
};

describe.each(Object.entries(VARIANTS))("rendered workflows, %s", (_name, over) => {
  const dir = workflowRepo(render(over));
  it.skipIf(!actionlintBin || !shellcheck)("actionlint (with shellcheck) finds nothing", () => {
    expect(actionlint(actionlintBin!, dir)).toEqual([]);
  });
  it.skipIf(!zizmorBin)("zizmor (offline, pedantic) finds nothing", () => {
    expect(zizmor(zizmorBin!, dir)).toEqual([]);
  });
});

describe("the linters can fail (controls)", () => {
  const bad = workflowRepo({
    "bad.yml": "on: issues\npermissions: write-all\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo ${{ github.event.issue.title }} $UNQUOTED\n",
  });
  it.skipIf(!actionlintBin || !shellcheck)("actionlint reports the injection and shellcheck the unquoted variable", () => {
    const found = actionlint(actionlintBin!, bad).join("\n");
    expect(found).toMatch(/github\.event\.issue\.title.*potentially untrusted/);
    expect(found).toMatch(/SC2086/);
  });
  it.skipIf(!zizmorBin)("zizmor reports the unpinned action and the template injection", () => {
    const found = zizmor(zizmorBin!, bad).join("\n");
    expect(found).toMatch(/unpinned-uses/);
    expect(found).toMatch(/template-injection/);
  });
});

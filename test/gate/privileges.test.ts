import { describe, expect, it } from "vitest";
import { jobPrivileges } from "../../src/gate/privileges.js";
import { makeRepo } from "../support/repo.js";
import { upgrade } from "../upgrade/support.js";
import { PRIVILEGED_CI } from "./build-job.js";

// Issue 20 item 7: the gate's scanner runs with whatever the build job holds.
const CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1";
const OUR_STEP = "      - name: Scan\n        id: relay-security-scan\n        uses: aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25 # v0.36.0\n";
const wf = (head: string, job: string, steps: string) => `on: pull_request\n${head}jobs:\n  build:\n    runs-on: ubuntu-latest\n${job}    steps:\n${steps}${OUR_STEP}`;
const quiet = "    permissions:\n      contents: read\n";
const safeCheckout = `      - uses: ${CHECKOUT}\n        with:\n          persist-credentials: false\n`;

const CASES: [string, string, string[]][] = [
  ["contents: read, checkout without credentials", wf("", quiet, safeCheckout + "      - run: docker build -t x .\n"), []],
  ["permissions: {} at the top", wf("permissions: {}\n", "", safeCheckout), []],
  ["no permissions anywhere", wf("", "", safeCheckout), ["the repository's default GITHUB_TOKEN permissions"]],
  ["packages: write and id-token: write", wf("", "    permissions:\n      contents: read\n      packages: write\n      id-token: write\n", safeCheckout), ["`packages: write`", "`id-token: write`"]],
  ["write-all at the top, job says nothing", wf("permissions: write-all\n", "", safeCheckout), ["`permissions: write-all`"]],
  ["the job's own permissions win over the workflow's", wf("permissions: write-all\n", quiet, safeCheckout), []],
  ["a persisted checkout token", wf("", quiet, `      - uses: ${CHECKOUT}\n`), ["a persisted checkout token (actions/checkout without `persist-credentials: false`, step 1"]],
  ["docker/login-action", wf("", quiet, `${safeCheckout}      - uses: docker/login-action@4907a6ddec9925e35a0a9e82d7399ccc52663121 # v4.1.0\n        with:\n          registry: ghcr.io\n`), ["a registry login (docker/login-action, step 2"]],
  ["docker login in a script; a commented one does not count", wf("", quiet, `${safeCheckout}      - run: |\n          # docker login is done later\n          echo "$T" | docker login ghcr.io -u x --password-stdin\n`), ["a registry login (`docker login`, step 2"]],
  ["secrets in the job's env", wf("env:\n  TOP: ${{ secrets.TOP_TOKEN }}\n", `${quiet}    env:\n      NPM_TOKEN: \${{ secrets.NPM_TOKEN }}\n      PLAIN: x\n`, safeCheckout), ["secrets in the job's environment (TOP_TOKEN, NPM_TOKEN)"]],
  ["a login after our step does not count", wf("", quiet, safeCheckout).replace(/$/, "      - uses: docker/login-action@4907a6ddec9925e35a0a9e82d7399ccc52663121 # v4.1.0\n"), []],
];

describe("jobPrivileges", () => {
  const variants: [string, (t: string) => string][] = [
    ["LF", (t) => t],
    ["CRLF", (t) => t.replace(/\n/g, "\r\n")],
    ["BOM", (t) => `\uFEFF${t}`],
    // A Latin-1 byte in a comment, read as UTF-8 the way detect reads it: U+FFFD, still parses.
    ["non-UTF-8 comment", (t) => `# ${Buffer.from("Pr\xfcfung", "latin1").toString("utf8")}\n${t}`],
  ];
  for (const [name, text, want] of CASES) {
    for (const [variant, shape] of variants) {
      it(`${name} (${variant})`, () => {
        const held = jobPrivileges(".github/workflows/ci.yml", shape(text))?.held ?? ["(not found)"];
        expect(held).toHaveLength(want.length);
        want.forEach((w, i) => expect(held[i]).toContain(w));
      });
    }
  }
});

describe("the plan says what the build job holds", () => {
  const ci = PRIVILEGED_CI;

  it("names packages: write, the login and the checkout token, and offers --isolated-scan", async () => {
    const dir = makeRepo("example", { files: { ".github/workflows/ci.yml": ci } });
    const { report } = await upgrade(dir, { dryRun: true });
    const note = report.plan.notes.find((n) => n.includes("holds more than `contents: read`"));
    expect(note).toBe(
      ".github/workflows/ci.yml: the gate step runs aquasecurity/trivy-action (Trivy) (third-party code) in job build, which holds more than `contents: read`: " +
        "`packages: write`; a persisted checkout token (actions/checkout without `persist-credentials: false`, step 1, actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1); " +
        "a registry login (docker/login-action, step 2, docker/login-action@4907a6ddec9925e35a0a9e82d7399ccc52663121). " +
        "Every step of a job can use what the job holds. --isolated-scan scans the image in a job of its own with no write permission and no secrets (the build job only saves the image and uploads it as an artifact).",
    );
  });

  it("a build job with contents: read only and no credentials: no note", async () => {
    const plain = ci.replace("      packages: write\n", "").replace(/      - uses: docker\/login-action[\s\S]*?GITHUB_TOKEN \}\}\n/, "").replace(`      - uses: ${CHECKOUT}\n`, `      - uses: ${CHECKOUT}\n        with:\n          persist-credentials: false\n`);
    const dir = makeRepo("example", { files: { ".github/workflows/ci.yml": plain } });
    const { report } = await upgrade(dir, { dryRun: true });
    expect(report.plan.gate.kind).toBe("edit");
    expect(report.plan.notes.join("\n")).not.toMatch(/holds more than/);
  });
});

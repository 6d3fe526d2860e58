import { describe, expect, it } from "vitest";
import { planGate, type GateRequest, type GateResult } from "../../src/gate/index.js";
import { renderCi } from "../../src/render/index.js";
import { requestForText, VIEW } from "./helpers.js";
import { TEXT_VARIANTS } from "../support/encodings.js";

/** Decisions that need no fixture folder: one small workflow (or a few) each, table-driven. */

const head = "on:\n  pull_request:\njobs:\n  build:\n    runs-on: ubuntu-latest\n";
const wf = (steps: string, jobExtra = "") => `${head}${jobExtra}    steps:\n      - uses: actions/checkout@v4\n${steps}`;

function plan(text: string, over: Partial<GateRequest> = {}): GateResult {
  return planGate({ ...requestForText(text), ...over });
}
const text = (r: GateResult) => JSON.stringify(r);
const inserted = (r: GateResult) => r.kind === "edit" && r.summary.startsWith("inserted the Trivy step");
const addedJob = (r: GateResult) => r.kind === "edit" && r.summary.startsWith("added the image-scan job");

describe("where the scan goes", () => {
  it.each([
    ["docker build after setup-buildx still loads (docker/cli#3676)", wf("      - uses: docker/setup-buildx-action@v3\n      - run: docker build -t a:b .\n"), inserted],
    ["setup-buildx install: true makes docker build follow the container builder", wf("      - uses: docker/setup-buildx-action@v3\n        with:\n          install: true\n      - run: docker build -t a:b .\n"), addedJob],
    ["docker build --push without --load", wf("      - run: docker build --push -t a:b .\n"), addedJob],
    ["BUILDX_BUILDER in the job env", wf("      - run: docker buildx build -t a:b .\n", "    env:\n      BUILDX_BUILDER: ci\n"), addedJob],
    ["docker buildx create --use in an earlier step", wf("      - run: docker buildx create --use\n      - run: docker buildx build -t a:b .\n"), addedJob],
    ["... unless the build has --load", wf("      - run: docker buildx create --use\n      - run: docker buildx build --load -t a:b .\n"), inserted],
    ["--output type=docker loads", wf("      - run: docker buildx build -o type=docker -t a:b .\n"), inserted],
    ["an untagged docker build cannot be named", wf("      - run: docker build .\n"), addedJob],
    ["a build of another Dockerfile is not ours", wf("      - run: docker build -f tools/Dockerfile -t a:b .\n"), addedJob],
    ["a build whose context holds our Dockerfile", wf("      - run: docker build -t a:b svc\n"), addedJob],
    ["a conditional build step: our step carries its if:", wf("      - if: steps.changes.outputs.docker == 'true'\n        run: docker build -t a:b .\n"), inserted],
    ["a job that runs on pull requests by its if:", wf("      - run: docker build -t a:b .\n", "    if: github.event_name == 'pull_request'\n"), inserted],
    ["a job that skips pull requests", wf("      - run: docker build -t a:b .\n", "    if: startsWith(github.ref, 'refs/tags/')\n"), addedJob],
    ["build-push-action load: false", wf("      - uses: docker/setup-buildx-action@v3\n      - uses: docker/build-push-action@v6\n        with:\n          load: false\n          tags: a:b\n"), addedJob],
    ["build-push-action pushing on the docker driver", wf("      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: a:b\n"), addedJob],
    ["a tag from $GITHUB_ENV", wf("      - run: echo \"IMAGE=acme/svc\" >> \"$GITHUB_ENV\"\n      - run: docker build -t $IMAGE:ci .\n"), inserted],
    ["an unknown variable in the tag", wf("      - run: docker build -t $NOPE:ci .\n"), addedJob],
  ])("%s", (_, input, check) => {
    const r = plan(input);
    expect(check(r), text(r)).toBe(true);
  });

  it("scans a $GITHUB_ENV variable through the env context", () => {
    expect(text(plan(wf("      - run: echo \"IMAGE=acme/svc\" >> \"$GITHUB_ENV\"\n      - run: docker build -t $IMAGE:ci .\n")))).toContain("image-ref: '${{ env.IMAGE }}:ci'");
  });

  it("adds with: load: true and an id to a bare build-push-action on a container builder", () => {
    const r = plan(wf("      - uses: docker/setup-buildx-action@v3\n      - uses: docker/build-push-action@v6\n"));
    expect(r.kind).toBe("edit");
    if (r.kind !== "edit") return;
    expect(r.addedLoad).toBe(true);
    expect(r.after).toContain("      - uses: docker/build-push-action@v6\n        id: relay-security-build\n        with:\n          load: true\n      # Added by relay-security");
    expect(plan(r.after).kind).toBe("unchanged");
  });

  it("falls back to imageid when metadata-action gives no tag on pull requests", () => {
    const steps = [
      "      - id: meta",
      "        uses: docker/metadata-action@v5",
      "        with:",
      "          images: acme/svc",
      "          tags: type=semver,pattern={{version}}",
      "      - id: build",
      "        uses: docker/build-push-action@v6",
      "        with:",
      "          load: true",
      "          tags: ${{ steps.meta.outputs.tags }}",
      "",
    ].join("\n");
    expect(text(plan(wf(steps)))).toContain("image-ref: '${{ steps.build.outputs.imageid }}'");
  });

  it("refuses a build step that is an alias", () => {
    const r = plan(`${head}    steps:\n      - &b\n        run: docker build -t a:b .\n      - *b\n`);
    expect(r.kind).toBe("edit"); // the first (anchored) build is a plain item; inserting after it is safe
    const r2 = plan(`x: &b\n  run: docker build -t a:b .\n${head}    steps:\n      - *b\n`);
    expect(r2).toMatchObject({ kind: "refuse", reason: expect.stringContaining("alias") });
  });
});

describe("a job with no checkout before the build (our step runs .github/actions/relay-security-db)", () => {
  const bpa = (withLines: string, checkout = "") =>
    `${head}    steps:\n${checkout}      - uses: docker/build-push-action@v6\n        with:\n          load: true\n          tags: a:b\n${withLines}`;
  it.each([
    ["build-push-action from its git context, no checkout: our own job, with the reason", bpa(""), addedJob],
    ["... a git URL context", bpa("          context: https://github.com/acme/svc.git#main\n"), addedJob],
    ["... {{defaultContext}} with a subfolder", bpa("          context: '{{defaultContext}}:svc'\n"), addedJob],
    ["... a checkout into another path does not count", bpa("", "      - uses: actions/checkout@v4\n        with:\n          path: src\n"), addedJob],
    ["... nor a checkout of another repository", bpa("", "      - uses: actions/checkout@v4\n        with:\n          repository: acme/other\n"), addedJob],
    ["a checkout first: our step after the build", bpa("", "      - uses: actions/checkout@v4\n"), inserted],
    ["a path context: the repository is in the workspace already", bpa("          context: .\n"), inserted],
  ])("%s", (_name, workflow, expected) => {
    expect(expected(plan(workflow))).toBe(true);
  });
  it("the plan says why the step did not go after the build", () => {
    const r = plan(bpa(""));
    expect(r.kind === "edit" && r.notes.join("\n")).toMatch(/job build has no actions\/checkout of this repository before it, which our steps need \(they run \.\/\.github\/actions\/relay-security-db/);
  });
  it("with --isolated-scan nothing in the build job needs the checkout (the save step only)", async () => {
    const { renderGateStep } = await import("../../src/render/index.js");
    const { viewWith } = await import("../support/answers.js");
    const r = plan(bpa(""), { step: (ref, cond) => renderGateStep(viewWith({ isolatedScan: true }), ref, cond) });
    expect(r.kind === "edit" && r.summary).toMatch(/^inserted/);
  });
});

describe("which workflow", () => {
  const build = (tag: string) => wf(`      - run: docker build -t ${tag} .\n`);
  const test = wf("      - run: go test ./...\n");
  const req = (files: [string, string][], over: Partial<GateRequest> = {}) =>
    planGate({ ...requestForText(""), workflows: files.map(([path, t]) => ({ path: `.github/workflows/${path}`, text: t })), ...over });

  it("prefers the PR workflow that builds the image over a ci.yml that does not", () => {
    expect(req([["ci.yml", test], ["docker.yml", build("a:docker")]])).toMatchObject({ kind: "edit", file: ".github/workflows/docker.yml" });
  });
  it("prefers ci.yml when several build it", () => {
    expect(req([["docker.yml", build("a:docker")], ["ci.yaml", build("a:ci")]])).toMatchObject({ kind: "edit", file: ".github/workflows/ci.yaml" });
  });
  it("adds the job to ci.yml when no workflow builds the image", () => {
    expect(req([["lint.yml", test], ["ci.yml", test]])).toMatchObject({ kind: "edit", file: ".github/workflows/ci.yml" });
  });
  it("asks when several PR workflows qualify and none is ci.yml", () => {
    expect(req([["lint.yml", test], ["test.yml", test]])).toEqual({
      kind: "choose",
      candidates: [
        { path: ".github/workflows/lint.yml", evidence: "runs go test / go build" },
        { path: ".github/workflows/test.yml", evidence: "runs go test / go build" },
      ],
    });
  });

  // Issue 10 §2: choose by evidence; only a real tie is a question.
  const codeql = `on:\n  pull_request:\njobs:\n  analyze:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: github/codeql-action/init@v3\n      - uses: github/codeql-action/analyze@v3\n`;
  const review = `on: [pull_request]\njobs:\n  review:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/dependency-review-action@v4\n`;
  const lint = `on: pull_request\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: golangci/golangci-lint-action@v6\n      - run: gofmt -l .\n`;
  const closed = build("a:release").replace("pull_request:\n", "pull_request:\n    types: [closed]\n");
  const labeled = test.replace("pull_request:\n", "pull_request:\n    types:\n      - labeled\n");
  const misc = wf("      - run: echo hello\n");
  it.each([
    ["a test workflow over CodeQL, dependency review and lint-only", [["codeql.yml", codeql], ["dependency-review.yml", review], ["golangci.yml", lint], ["tests.yml", test]], "tests.yml"],
    ["a build with types: [closed] is no candidate", [["release.yml", closed], ["tests.yml", test]], "tests.yml"],
    ["types: [labeled] is no candidate", [["label.yml", labeled], ["misc.yml", misc]], "misc.yml"],
    ["a named ci workflow over an unnamed one", [["checks.yml", misc], ["other.yml", misc]], "checks.yml"],
    ["the workflow that builds the Dockerfile, even when it cannot load", [["tests.yml", test], ["docker.yml", wf("      - run: docker build --push -t a:b .\n")]], "docker.yml"],
  ])("%s", (_, files, file) => {
    expect(req(files as [string, string][])).toMatchObject({ kind: "edit", file: `.github/workflows/${file}` });
  });
  // A paths filter that a go.mod bump slips past: no gate there when another workflow runs on every PR.
  const filtered = (paths: string) => build("a:docker").replace("pull_request:\n", `pull_request:\n    ${paths}\n`);
  const onlyDocker = filtered("paths:\n      - 'packaging/docker/**'\n      - '.github/workflows/docker.yml'");
  it.each(TEXT_VARIANTS)("a builder that runs only when packaging/docker/** changes: our job goes into the workflow that runs on every PR (%s)", (_, enc) => {
    const r = req([["docker.yml", enc(onlyDocker)], ["tests.yml", enc(test)]]);
    expect(r).toMatchObject({ kind: "edit", file: ".github/workflows/tests.yml", summary: expect.stringContaining("added the image-scan job") });
    expect(text(r)).toContain(".github/workflows/docker.yml builds the image, but it runs only on pull requests that change packaging/docker/**, .github/workflows/docker.yml, so a pull request that changes go.mod is never gated");
  });
  it.each([
    ["paths-ignore of docs only", "paths-ignore: ['**.md', 'docs/**']", "docker.yml"],
    ["paths that take go.mod and the Dockerfile", "paths: ['**.go', 'go.mod', 'go.sum', 'Dockerfile']", "docker.yml"],
    ["paths ** then !go.mod", "paths: ['**', '!go.mod']", "tests.yml"],
    ["paths-ignore that names go.mod", "paths-ignore: ['go.*']", "tests.yml"],
  ])("%s", (_, paths, file) => {
    expect(req([["docker.yml", filtered(paths)], ["tests.yml", test]])).toMatchObject({ kind: "edit", file: `.github/workflows/${file}` });
  });
  it("a filter that takes go.mod but not the Dockerfile misses the base-image bump", () => {
    const goOnly = filtered("paths: ['**.go', 'go.mod', 'go.sum']");
    const r = req([["build.yml", goOnly.replace("docker build -t a:docker .", "go build ./...")], ["docker.yml", onlyDocker], ["tests.yml", test]]);
    expect(r).toMatchObject({ kind: "edit", file: ".github/workflows/tests.yml" });
  });
  // The shape of vmware-tanzu/velero: "Pull Request X Check" workflows are ci by their names; the ones
  // that work on the Go code set it up. Neither builds the Dockerfile where we can see it.
  const named = (name: string, steps: string) => `name: ${name}\non: [pull_request]\njobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n${steps}`;
  const setupGo = "      - uses: actions/setup-go@v5\n        with:\n          go-version-file: go.mod\n";
  const changelog = named("Pull Request Changelog Check", "      - run: ./hack/changelog-check.sh\n");
  const codespell = named("Pull Request Codespell Check", "      - uses: codespell-project/actions-codespell@master\n");
  const ciCheck = named("Pull Request CI Check", `${setupGo}      - run: make ci\n`);
  const e2e = named("Run the E2E test on kind", `${setupGo}      - run: make local\n`);
  it.each(TEXT_VARIANTS)("of the workflows ci by their names, the one that sets up Go; the plan says why the others were not (%s)", (_, enc) => {
    const r = req([["pr-changelog-check.yml", enc(changelog)], ["pr-ci-check.yml", enc(ciCheck)], ["pr-codespell.yml", enc(codespell)]]);
    expect(r).toMatchObject({ kind: "edit", file: ".github/workflows/pr-ci-check.yml" });
    expect(text(r)).toContain(".github/workflows/pr-changelog-check.yml: not chosen for the gate: a ci/test/build workflow by its name, and .github/workflows/pr-ci-check.yml sets up Go");
  });
  // The shape of containrrr/watchtower: CodeQL checks out the PR's head commit with a run step first,
  // and a greetings workflow only welcomes contributors. Each note says the real reason.
  const codeqlHead = codeql.replace("      - uses: github/codeql-action/init@v3\n", "      - run: git checkout HEAD^2\n        if: ${{ github.event_name == 'pull_request' }}\n      - uses: github/codeql-action/init@v3\n");
  const greetings = "on: [pull_request_target, issues]\njobs:\n  greet:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/first-interaction@v1\n".replace("pull_request_target", "pull_request");
  it.each(TEXT_VARIANTS)("CodeQL that checks out the head commit is still analysis; the notes give real reasons (%s)", (_, enc) => {
    const r = req([["codeql-analysis.yml", enc(codeqlHead)], ["greetings.yml", enc(greetings)], ["pull-request.yml", enc(test)]]);
    expect(r).toMatchObject({ kind: "edit", file: ".github/workflows/pull-request.yml" });
    expect(text(r)).toContain(".github/workflows/codeql-analysis.yml: not chosen for the gate: analysis only (github/codeql-action/init)");
    expect(text(r)).toContain(".github/workflows/greetings.yml: not chosen for the gate: neither runs go test / go build nor is a ci/test/build workflow by its name");
  });
  // The shape of nats-io/nats-server: tests.yaml (push and pull_request) builds and runs the suites; an
  // MQTT workflow (pull_request only) runs `go test -run='TestXMQTT'` against an external tool.
  const mqtt = "name: MQTT External Tests\non: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          go test -v --count=3 --run='TestXMQTT' ./server\n          go test -v --race --run='TestXMQTT' ./server\n      - run: go test --run='-' --bench 'BenchmarkXMQTT' ./server\n";
  const suites = "name: Server Tests\non:\n  push:\n  pull_request:\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: go build\n";
  it.each(TEXT_VARIANTS)("of two that run go test, not the one that runs only some tests; the note says why (%s)", (_, enc) => {
    const r = req([["mqtt-test.yaml", enc(mqtt)], ["tests.yaml", enc(suites)]]);
    expect(r).toMatchObject({ kind: "edit", file: ".github/workflows/tests.yaml" });
    expect(text(r)).toContain(".github/workflows/mqtt-test.yaml: not chosen for the gate: its go test runs only some tests (-run TestXMQTT), and .github/workflows/tests.yaml runs them all");
  });
  it("of two that run all tests, the one that also runs on pushes, as a main CI does", () => {
    const prOnly = mqtt.replace(/--run='TestXMQTT' /g, "").replace(/--run='-' /, "");
    const r = req([["extra.yaml", prOnly], ["tests.yaml", suites]]);
    expect(r).toMatchObject({ kind: "edit", file: ".github/workflows/tests.yaml" });
    expect(text(r)).toContain(".github/workflows/extra.yaml: not chosen for the gate: it runs on pull requests only, and .github/workflows/tests.yaml runs on pushes too, as a repository's main CI does");
  });
  it("two narrowed ones are still a tie (nothing to tell them apart)", () => {
    expect(req([["a.yaml", mqtt], ["b.yaml", mqtt.replace(/TestXMQTT/g, "TestX")]])).toMatchObject({ kind: "choose" });
  });

  it("a tie among those that set up Go lists only them", () => {
    expect(req([["e2e-test-kind.yaml", e2e], ["pr-changelog-check.yml", changelog], ["pr-ci-check.yml", ciCheck], ["pr-codespell.yml", codespell]])).toEqual({
      kind: "choose",
      candidates: [
        { path: ".github/workflows/e2e-test-kind.yaml", evidence: "a ci/test/build workflow by its name that sets up Go" },
        { path: ".github/workflows/pr-ci-check.yml", evidence: "a ci/test/build workflow by its name that sets up Go" },
      ],
    });
  });
  it("of two ci workflows, the one that runs go test over the one named build", () => {
    const named = wf("      - run: make release\n");
    expect(req([["build_binaries.yml", named], ["tests.yml", test]])).toMatchObject({ kind: "edit", file: ".github/workflows/tests.yml" });
  });
  it("a filtered builder is still the gate when no workflow runs on every PR, and the plan says so", () => {
    const r = req([["docker.yml", onlyDocker]]);
    expect(r).toMatchObject({ kind: "edit", file: ".github/workflows/docker.yml", summary: expect.stringContaining("inserted the Trivy step") });
    expect(text(r)).toContain("no workflow runs on every pull request");
  });
  it("puts our job into the workflow whose build cannot load", () => {
    const r = req([["tests.yml", test], ["docker.yml", wf("      - run: docker build --push -t a:b .\n")]]);
    expect(r).toMatchObject({ kind: "edit", file: ".github/workflows/docker.yml", summary: expect.stringContaining("added the image-scan job") });
  });
  it("says why a workflow was left out", () => {
    expect(text(req([["release.yml", closed], ["tests.yml", test]]))).toContain("release.yml: not a candidate for the gate: pull_request types [closed] never run on a new commit");
  });
  it("a tie lists each candidate with its evidence", () => {
    const push = wf("      - run: docker build --push -t a:b .\n");
    expect(req([["a.yml", push], ["b.yml", push.replace("a:b", "a:c")]])).toEqual({
      kind: "choose",
      candidates: [
        { path: ".github/workflows/a.yml", evidence: 'builds the Dockerfile (job build, step 2 ("docker build --push -t a:b ."); docker build sends the image elsewhere (--push/--output) without --load)' },
        { path: ".github/workflows/b.yml", evidence: 'builds the Dockerfile (job build, step 2 ("docker build --push -t a:c ."); docker build sends the image elsewhere (--push/--output) without --load)' },
      ],
    });
  });
  it("of two builders, the one whose image the gate can scan", () => {
    expect(req([["a.yml", build("a:1")], ["b.yml", wf("      - run: docker build --push -t a:b .\n")]])).toMatchObject({ kind: "edit", file: ".github/workflows/a.yml" });
  });
  it("only workflows that never fire on a new commit: ci.yml is created", () => {
    expect(req([["release.yml", closed]])).toMatchObject({ kind: "none" });
  });
  it("skips a broken workflow that is not ci.yml, with a note", () => {
    const r = req([["ci.yml", build("a:b")], ["release.yml", "on: [push\n"]]);
    expect(r).toMatchObject({ kind: "edit" });
    expect(text(r)).toContain("release.yml does not parse (line");
  });
  it("refuses when ci.yml itself does not parse", () => {
    expect(req([["ci.yml", "on: [pull_request\n"], ["docker.yml", build("a:b")]])).toMatchObject({ kind: "refuse", file: ".github/workflows/ci.yml" });
  });
  it("finds a scan in another PR workflow", () => {
    const scan = wf("      - uses: anchore/scan-action@v6\n        with:\n          image: a:b\n");
    expect(req([["ci.yml", build("a:b")], ["scan.yml", scan]])).toMatchObject({ kind: "already-scanned", file: ".github/workflows/scan.yml" });
  });
  it("does not count a filesystem scan as an image scan", () => {
    const fsScan = wf("      - uses: aquasecurity/trivy-action@0.28.0\n        with:\n          scan-type: fs\n");
    expect(req([["ci.yml", build("a:b")], ["fs.yml", fsScan]])).toMatchObject({ kind: "edit", file: ".github/workflows/ci.yml" });
  });
  it("--workflow: a missing file is refused", () => {
    expect(req([["ci.yml", build("a:b")]], { workflow: "nope.yml" })).toMatchObject({ kind: "refuse", reason: expect.stringContaining("no such file") });
  });
  it("--workflow: never a pull_request_target workflow", () => {
    const prt = build("a:b").replace("pull_request:", "pull_request_target:");
    expect(req([["ci.yml", prt]], { workflow: ".github/workflows/ci.yml" })).toMatchObject({ kind: "refuse", reason: expect.stringContaining("pull_request_target") });
  });
  it("refuses to add a second job named image-scan", () => {
    const taken = `${test}  image-scan:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo mine\n`;
    expect(req([["ci.yml", taken]])).toMatchObject({ kind: "refuse", reason: expect.stringContaining("image-scan already exists") });
  });
  it("upgrades our step wherever it is, even with --workflow naming another file", () => {
    const first = req([["ci.yml", build("a:b")]]);
    if (first.kind !== "edit") throw new Error(first.kind);
    expect(req([["ci.yml", first.after], ["other.yml", build("a:c")]], { workflow: "other.yml" })).toMatchObject({ kind: "unchanged", file: ".github/workflows/ci.yml" });
  });
});

describe("our own files", () => {
  it("a ci.yml we created (image-scan job inside) is unchanged on a re-run", () => {
    expect(planGate(requestForText(renderCi(VIEW)))).toMatchObject({ kind: "unchanged", file: ".github/workflows/ci.yml" });
  });
});

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { UserError } from "../../src/errors.js";
import { runInit, type InitOptions } from "../../src/run.js";
import { initOptions, scriptedDeps } from "../support/deps.js";
import { git, makeRepo, snapshot } from "../support/repo.js";
import { TEXT_VARIANTS } from "../support/encodings.js";

/**
 * Issue 10 §3: our image-scan job and the rescan build the image CI builds (file, context, target,
 * build args, one platform), and a placeholder ARG nobody gives a value stops a --yes run (exit 2).
 * Fixture repositories are the example service with the files each case names, modelled on real Go
 * services (a Makefile recipe with --build-arg, a multi-platform build-push-action).
 */
const placeholderDockerfile = [
  "ARG BUILD_IMAGE=placeholder",
  "FROM ${BUILD_IMAGE} AS build",
  "WORKDIR /src",
  "COPY . .",
  "ARG TAGS",
  'RUN go build -tags "$TAGS" -o /app .',
  "FROM gcr.io/distroless/static:nonroot",
  "COPY --from=build /app /app",
  'ENTRYPOINT ["/app"]',
  "",
].join("\n");
const makefile = "BUILD_IMAGE ?= golang:1.25.4\nIMAGE ?= ghcr.io/acme/hello-service\nimage:\n\tsudo docker build --build-arg BUILD_IMAGE=$(BUILD_IMAGE) --build-arg TAGS=netgo --platform linux/amd64 -t $(IMAGE):$(VERSION) .\n";
const release = "name: release\non:\n  push:\n    tags: ['v*']\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make image VERSION=\"${GITHUB_REF_NAME}\"\n";
/** ci.yml without its image build: only tests on pull requests. */
const testsOnly = (dir: string) => {
  const ci = readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8");
  return ci.slice(0, ci.indexOf("      # The image every pull request builds."));
};

function repo(files: Record<string, string | Buffer>, opts: { dropBuild?: boolean } = {}) {
  const dir = makeRepo("example");
  if (opts.dropBuild) writeFileSync(join(dir, ".github/workflows/ci.yml"), testsOnly(dir));
  for (const [rel, text] of Object.entries(files)) writeFileSync(join(dir, rel), text);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "shape");
  return dir;
}

const run = (dir: string, over: Partial<InitOptions> = {}) => runInit(initOptions(dir, over), scriptedDeps([]).deps);
type Step = { name?: string; env?: Record<string, string>; run?: string };
const buildStep = (dir: string, file: string, job: string) =>
  ((parse(readFileSync(join(dir, file), "utf8")) as { jobs: Record<string, { steps: Step[] }> }).jobs[job]?.steps ?? []).find((s) => s.name === "Build the image");

describe("the image is built as CI builds it", () => {
  it.each([
    ["LF", placeholderDockerfile],
    ["CRLF", placeholderDockerfile.replace(/\n/g, "\r\n")],
    ["a BOM", `\uFEFF${placeholderDockerfile}`],
    ["not UTF-8", Buffer.concat([Buffer.from("# R\xe9sum\xe9 du build\n", "latin1"), Buffer.from(placeholderDockerfile)])],
  ])("a Makefile recipe's --build-arg, --platform reach our job and the rescan (%s Dockerfile)", async (_name, dockerfile) => {
    const dir = repo({ Dockerfile: dockerfile, Makefile: makefile, ".github/workflows/release.yml": release }, { dropBuild: true });
    const { exitCode, report } = await run(dir);
    expect(exitCode).toBe(0);
    for (const [file, job] of [[".github/workflows/ci.yml", "image-scan"], [".github/workflows/security-scan.yml", "image"]] as const) {
      const step = buildStep(dir, file, job);
      expect(step?.env, file).toEqual({ DOCKERFILE: "Dockerfile", CONTEXT: ".", PLATFORM: "linux/amd64", BUILD_ARG_0: "BUILD_IMAGE=golang:1.25.4", BUILD_ARG_1: "TAGS=netgo" });
      expect(step?.run).toContain('--build-arg "$BUILD_ARG_0"');
    }
    expect(report.plan.notes.join("\n")).toContain("builds Dockerfile as .github/workflows/release.yml, job image");
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "set up");
    const before = snapshot(dir);
    expect((await run(dir)).exitCode).toBe(0);
    expect(snapshot(dir)).toEqual(before);
  });

  it("a placeholder ARG used in FROM with no known value: --yes stops with exit 2 naming --build-arg, nothing written", async () => {
    const dir = repo({ Dockerfile: placeholderDockerfile }, { dropBuild: true });
    const before = snapshot(dir);
    const error = await run(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toContain("ARG BUILD_IMAGE=placeholder");
    expect((error as UserError).message).toContain("--build-arg BUILD_IMAGE=VALUE");
    expect(snapshot(dir)).toEqual(before);
  });

  // gotify/server's shape: the Makefile computes the value with $(shell ...) from go.mod, and a commented
  // `?=` line before it (whose comment once cut the recipe's command short and hid the --build-arg).
  it.each([
    ...TEXT_VARIANTS.map(([name, enc]): [string, (t: string) => string | Buffer] => [name, enc]),
    ["non-UTF-8 (a Latin-1 comment)", (t: string) => Buffer.from(`# Auteur: J\xe9r\xf4me\n${t}`, "latin1")],
  ])("a value CI computes when it runs (a Makefile $(shell ...), %s): the refusal says where it is passed and why it cannot be read", async (_name, enc) => {
    const mk = "LEVEL ?= 0 # optionally run the tests in the build\nBUILD_IMAGE=$(shell go mod edit -json | jq -r .Toolchain)\nimage:\n\tdocker build --build-arg RUN_TESTS=$(LEVEL) \\\n\t\t--build-arg BUILD_IMAGE=$(BUILD_IMAGE) \\\n\t\t-f Dockerfile .\n";
    const dir = repo({ Dockerfile: placeholderDockerfile, Makefile: enc(mk), ".github/workflows/release.yml": release }, { dropBuild: true });
    const before = snapshot(dir);
    const error = await run(dir).catch((e: unknown) => e);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toBe(
      'Dockerfile: FROM uses ARG BUILD_IMAGE=placeholder, a placeholder; .github/workflows/release.yml, job image, step 2 ("make image VERSION=\"${GITHUB_REF_NAME}\"") (make image, Makefile) passes --build-arg BUILD_IMAGE with a value computed when it runs, which relay-security cannot read; pass it with --build-arg BUILD_IMAGE=VALUE',
    );
    expect(snapshot(dir)).toEqual(before);
    expect((await run(dir, { flags: { buildArgs: ["BUILD_IMAGE=golang:1.26"] } })).exitCode).toBe(0);
    expect(buildStep(dir, ".github/workflows/security-scan.yml", "image")?.env).toMatchObject({ DOCKERFILE: "Dockerfile", BUILD_ARG_0: "RUN_TESTS=0", BUILD_ARG_1: "BUILD_IMAGE=golang:1.26" });
  });

  // The shape of navidrome/navidrome: a matrix job builds `target: binary` into files (outputs
  // type=local), then pushes the image by digest; neither leaves an image in the daemon, so our job
  // builds it, and it must build the image, not the binaries stage.
  it.each(TEXT_VARIANTS)("a build that exports files is not the one copied; our job's matrix note is about our job (%s)", async (_name, enc) => {
    const staged = "FROM golang:1.26 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\nFROM scratch AS binary\nCOPY --from=build /out/app /app\nFROM alpine:3.22 AS final\nCOPY --from=build /out/app /app\n";
    const pipeline = [
      "on: [push, pull_request]",
      "jobs:",
      "  build:",
      "    runs-on: ubuntu-latest",
      "    strategy:",
      "      matrix:",
      "        platform: [linux/amd64, linux/arm64]",
      "    steps:",
      "      - uses: actions/checkout@v4",
      "      - run: go test ./...",
      "      - name: Build Binaries",
      "        uses: docker/build-push-action@v6",
      "        with:",
      "          file: Dockerfile",
      "          platforms: ${{ matrix.platform }}",
      "          target: binary",
      "          outputs: |",
      "            type=local,dest=./output",
      "          build-args: |",
      "            GIT_TAG=v1",
      "      - name: Build and push image by digest",
      "        uses: docker/build-push-action@v6",
      "        with:",
      "          file: Dockerfile",
      "          platforms: ${{ matrix.platform }}",
      "          build-args: |",
      "            GIT_TAG=v2",
      "          outputs: type=image,name=ghcr.io/acme/hello-service,push-by-digest=true,push=true",
      "",
    ].join("\n");
    const dir = repo({ Dockerfile: enc(staged), ".github/workflows/ci.yml": enc(pipeline) });
    const { exitCode, report } = await run(dir);
    expect(exitCode).toBe(0);
    const step = buildStep(dir, ".github/workflows/ci.yml", "image-scan");
    expect(step?.env).toEqual({ DOCKERFILE: "Dockerfile", CONTEXT: ".", BUILD_ARG_0: "GIT_TAG=v2" });
    const notes = [...report.plan.notes, ...report.plan.changes.flatMap((c) => c.notes ?? [])].join("\n");
    expect(notes).toContain("job build builds a matrix (platform: linux/amd64, linux/arm64); relay-security's image-scan job and the scheduled rescan build one image without the matrix values");
    expect(notes).not.toContain("the gate step runs in every leg");
  });

  it("a files-only build, when it is the only one, lends its options but not its target", async () => {
    const staged = "FROM golang:1.26 AS build\nCOPY . .\nRUN go build -o /out/app .\nFROM scratch AS binary\nCOPY --from=build /out/app /app\nFROM alpine:3.22\nCOPY --from=build /out/app /app\n";
    const wfText = "on: [pull_request]\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: docker buildx build --target binary -o ./out --build-arg TAG=v1 .\n";
    const dir = repo({ Dockerfile: staged, ".github/workflows/ci.yml": wfText });
    const { exitCode, report } = await run(dir);
    expect(exitCode).toBe(0);
    expect(buildStep(dir, ".github/workflows/ci.yml", "image-scan")?.env).toEqual({ DOCKERFILE: "Dockerfile", CONTEXT: ".", BUILD_ARG_0: "TAG=v1" });
    expect(report.plan.notes.join("\n")).toContain("builds target binary into files (its outputs are type=local or tar), not an image: the rescan (and an image-scan job of ours) builds the Dockerfile's last stage instead");
  });

  it("--build-arg gives it, is recorded in the answers, and the next run needs no flag", async () => {
    const dir = repo({ Dockerfile: placeholderDockerfile }, { dropBuild: true });
    const value = "golang:1.25 # it's \"quoted\"";
    expect((await run(dir, { flags: { buildArgs: [`BUILD_IMAGE=${value}`] } })).exitCode).toBe(0);
    expect(buildStep(dir, ".github/workflows/security-scan.yml", "image")?.env?.["BUILD_ARG_0"]).toBe(`BUILD_IMAGE=${value}`);
    const state = JSON.parse(readFileSync(join(dir, ".github/relay-security.json"), "utf8")) as { answers: Record<string, unknown> };
    expect(state.answers["buildArgs"]).toEqual([`BUILD_IMAGE=${value}`]);
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "set up");
    const before = snapshot(dir);
    expect((await run(dir)).exitCode).toBe(0);
    expect(snapshot(dir)).toEqual(before);
  });

  it("asks for the value interactively", async () => {
    const dir = repo({ Dockerfile: placeholderDockerfile }, { dropBuild: true });
    // image, dockerfile, schedule, severity, updater; then the build arg; then write
    const { deps, asked } = scriptedDeps(["ghcr.io/acme/hello-service", "Dockerfile", "daily", "CRITICAL,HIGH", "renovate", "golang:1.25", "write"]);
    expect((await runInit(initOptions(dir, { mode: "interactive" }), deps)).exitCode).toBe(0);
    expect(asked[5]?.message).toContain("build arg BUILD_IMAGE");
    expect(buildStep(dir, ".github/workflows/ci.yml", "image-scan")?.env?.["BUILD_ARG_0"]).toBe("BUILD_IMAGE=golang:1.25");
  });

  it.each(["BUILD_IMAGE=a\nb", "BUILD_IMAGE=${{ secrets.X }}", "not-a-key=1"])("refuses --build-arg %j (exit 2)", async (arg) => {
    const dir = repo({ Dockerfile: placeholderDockerfile }, { dropBuild: true });
    await expect(run(dir, { flags: { buildArgs: [arg] } })).rejects.toThrow(/--build-arg/);
  });

  it("build-push-action that cannot load: its context, target, build-args and one platform go into our job", async () => {
    const ci = readFileSync(join(makeRepo("example"), ".github/workflows/ci.yml"), "utf8").replace(
      /      # The image every pull request builds\.[\s\S]*$/,
      [
        "      - uses: docker/setup-buildx-action@37fe631027851001ddb9b187196cc803df7f5f0e # v4.3.0",
        "      - uses: docker/build-push-action@53b7df96c91f9c12dcc8a07bcb9ccacbed38856a # v7.3.0",
        "        with:",
        "          context: ./services/api",
        "          file: ./services/api/Dockerfile",
        "          target: runtime",
        "          platforms: linux/arm64,linux/amd64",
        "          build-args: |",
        "            VERSION=${{ github.sha }}",
        "            CGO_ENABLED=0",
        "          tags: ghcr.io/acme/hello-service:${{ github.sha }}",
        "",
      ].join("\n"),
    );
    const dir = makeRepo("example", { files: { ".github/workflows/ci.yml": ci, "services/api/Dockerfile": "FROM golang:1.25 AS build\nCOPY . .\nRUN go build -o /a .\nFROM alpine:3.22 AS runtime\nCOPY --from=build /a /a\n", "services/api/go.mod": "module x\n" } });
    rmSync(join(dir, "Dockerfile"));
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "api");
    const { exitCode, report } = await run(dir);
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(exitCode).toBe(0);
    const step = buildStep(dir, ".github/workflows/ci.yml", "image-scan");
    expect(step?.env).toEqual({ DOCKERFILE: "services/api/Dockerfile", CONTEXT: "services/api", TARGET: "runtime", PLATFORM: "linux/amd64", BUILD_ARG_0: "CGO_ENABLED=0" });
    expect(report.plan.notes.join("\n")).toContain("passes --build-arg VERSION with a value computed in the run");
  });
});

describe("a bake build", () => {
  it("its workflow carries our job, which builds the bake target's context, Dockerfile, target, args and one platform", async () => {
    const bake = 'variable "GO_IMAGE" {\n  default = "golang:1.25.4"\n}\ntarget "default" {\n  context = "."\n  dockerfile = "build/Dockerfile"\n  target = "runtime"\n  platforms = ["linux/amd64", "linux/arm64"]\n  args = { BUILD_IMAGE = "${GO_IMAGE}" }\n}\n';
    const images = "name: images\non: pull_request\npermissions:\n  contents: read\njobs:\n  bake:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n        with:\n          persist-credentials: false\n      - run: docker buildx bake --push\n";
    const dockerfile = placeholderDockerfile.replace("FROM gcr.io/distroless/static:nonroot", "FROM gcr.io/distroless/static:nonroot AS runtime");
    const dir = makeRepo("example", { files: { "docker-bake.hcl": bake, ".github/workflows/images.yml": images, "build/Dockerfile": dockerfile } });
    writeFileSync(join(dir, ".github/workflows/ci.yml"), testsOnly(dir));
    rmSync(join(dir, "Dockerfile"));
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "bake");
    const { exitCode, report } = await run(dir);
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(exitCode).toBe(0);
    expect(buildStep(dir, ".github/workflows/images.yml", "image-scan")?.env).toEqual({ DOCKERFILE: "build/Dockerfile", CONTEXT: ".", TARGET: "runtime", PLATFORM: "linux/amd64", BUILD_ARG_0: "BUILD_IMAGE=golang:1.25.4" });
    expect(buildStep(dir, ".github/workflows/security-scan.yml", "image")?.env?.["BUILD_ARG_0"]).toBe("BUILD_IMAGE=golang:1.25.4");
  });
});

describe("a local reusable workflow that already gates on a Trivy scan", () => {
  it("counts as scanned: the rest is written, the workflows are not touched, exit 0", async () => {
    const pr = "name: PR\non: pull_request\npermissions:\n  contents: read\njobs:\n  publish:\n    uses: ./.github/workflows/publish.yml\n    with:\n      push: false\n";
    const publish = [
      "name: publish",
      "on:",
      "  workflow_call:",
      "    inputs:",
      "      push:",
      "        type: boolean",
      "        required: true",
      "permissions:",
      "  contents: read",
      "jobs:",
      "  image:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
      "        with:",
      "          persist-credentials: false",
      "      - run: docker build -t ghcr.io/acme/hello-service:${{ github.sha }} .",
      "      - uses: aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25 # v0.36.0",
      "        with:",
      "          image-ref: ghcr.io/acme/hello-service:${{ github.sha }}",
      "          exit-code: '1'",
      "",
    ].join("\n");
    const dir = makeRepo("example", { files: { ".github/workflows/pr.yml": pr, ".github/workflows/publish.yml": publish } });
    rmSync(join(dir, ".github/workflows/ci.yml"));
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "reusable");
    const { exitCode, report } = await run(dir);
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.plan.gate.kind).toBe("already-scanned");
    expect(readFileSync(join(dir, ".github/workflows/pr.yml"), "utf8")).toBe(pr);
    expect(readFileSync(join(dir, ".github/workflows/publish.yml"), "utf8")).toBe(publish);
    expect(report.written).toContain(".github/workflows/security-scan.yml");
  });
});

describe("--yes stops only on a real tie", () => {
  it("several Dockerfiles nothing names: exit 2 listing them, naming --dockerfile", async () => {
    const dir = repo({ "Dockerfile.api": "FROM golang:1.25\nCOPY . .\n", "Dockerfile.worker": "FROM golang:1.25\nCOPY . .\n" });
    rmSync(join(dir, "Dockerfile"));
    const error = (await run(dir).catch((e: unknown) => e)) as UserError;
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain("--dockerfile");
    expect(error.details.join("\n")).toContain("Dockerfile.api");
    expect(error.details.join("\n")).toContain("Dockerfile.worker");
  });

  it("two workflows that both build the Dockerfile: --yes takes the first, and the plan gives the evidence and --workflow", async () => {
    const build = (tag: string) => `name: ${tag}\non: [pull_request]\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: docker build -t acme/svc:${tag} .\n`;
    const dir = makeRepo("example", { files: { ".github/workflows/docker.yml": build("docker"), ".github/workflows/images.yml": build("images") } });
    rmSync(join(dir, ".github/workflows/ci.yml"));
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "two");
    const { exitCode, report } = await run(dir);
    expect(exitCode).toBe(0);
    expect(report.plan.notes).toContain(
      'several pull-request workflows could carry the gate (.github/workflows/docker.yml: builds the Dockerfile (job b, step 2 ("docker build -t acme/svc:docker .")); .github/workflows/images.yml: builds the Dockerfile (job b, step 2 ("docker build -t acme/svc:images ."))): it goes into .github/workflows/docker.yml, the first by path (no name among ci, build, test, check decides); it gates every pull request there as it would in .github/workflows/images.yml; --workflow FILE for another',
    );
    expect(readFileSync(join(dir, ".github/workflows/docker.yml"), "utf8")).toContain("relay-security-scan");
    expect(readFileSync(join(dir, ".github/workflows/images.yml"), "utf8")).toBe(build("images"));
  });
});

describe("a workflow that is not UTF-8 is never edited (its bytes would change)", () => {
  const latin1 = (dir: string) => Buffer.concat([Buffer.from("# V\xe9rifie chaque pull request\n", "latin1"), readFileSync(join(dir, ".github/workflows/ci.yml"))]);
  it("the workflow that builds the image: exit 2 naming the file and the line, nothing written", async () => {
    const dir = makeRepo("example");
    writeFileSync(join(dir, ".github/workflows/ci.yml"), latin1(dir));
    git(dir, "commit", "-qam", "latin-1");
    const before = snapshot(dir);
    const error = (await run(dir).catch((e: unknown) => e)) as UserError;
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(".github/workflows/ci.yml: cannot be edited (line 1: not UTF-8 text");
    expect(snapshot(dir)).toEqual(before);
  });
  it("another workflow: left out with a note, the gate goes where the image is built", async () => {
    const dir = makeRepo("example");
    writeFileSync(join(dir, ".github/workflows/lint.yml"), Buffer.from("on: pull_request\n# \xe9\njobs:\n  l:\n    runs-on: ubuntu-latest\n    steps:\n      - run: go vet ./...\n", "latin1"));
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "latin-1 lint");
    const { exitCode, report } = await run(dir);
    expect(exitCode).toBe(0);
    expect(readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8")).toContain("id: relay-security-scan");
    expect(readFileSync(join(dir, ".github/workflows/lint.yml")).includes(Buffer.from([0xe9]))).toBe(true);
    expect(report.plan.changes.map((c) => c.path)).not.toContain(".github/workflows/lint.yml");
  });
});

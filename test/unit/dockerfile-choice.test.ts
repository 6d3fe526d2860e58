import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectedDefaults } from "../../src/answers/index.js";
import { chooseDockerfiles } from "../../src/detect/dockerfiles.js";
import type { Detected } from "../../src/types.js";
import { makeRepo } from "../support/repo.js";

/** Issue 10 §3, "Dockerfile choice": on fixture repositories (the example service plus the files named). */
const build = "FROM golang:1.25 AS b\nCOPY . .\nRUN go build -o /a .\nFROM gcr.io/distroless/static\nCOPY --from=b /a /a\n";
const dev = "FROM mcr.microsoft.com/devcontainers/go:1.25\nRUN go install golang.org/x/tools/gopls@latest\n";
const deb = "FROM debian:12\nRUN apt-get install -y devscripts debhelper\nRUN dpkg-buildpackage -us -uc\n";

function repo(files: Record<string, string>, keepRoot = true) {
  const dir = makeRepo("example", { files });
  if (!keepRoot) rmSync(join(dir, "Dockerfile"));
  return dir;
}
const choice = (files: Record<string, string>, keepRoot = true) => chooseDockerfiles(repo(files, keepRoot));

describe("which Dockerfile builds the service image", () => {
  it.each([
    ["the root Dockerfile over .devcontainer/", { ".devcontainer/Dockerfile": dev }, true, "Dockerfile"],
    ["never .devcontainer/, even alone", { ".devcontainer/Dockerfile": dev }, false, undefined],
    ["never test, testdata, fixture or example folders", { "test/Dockerfile": build, "testdata/Dockerfile": build, "internal/fixtures/Dockerfile": build, "examples/demo/Dockerfile": build }, false, undefined],
    ["Dockerfile-* is found, a packaging image is not chosen", { "dockerfiles/Dockerfile-for-server": build, "build/package/Dockerfile": deb }, false, "dockerfiles/Dockerfile-for-server"],
    ["*.Dockerfile", { "deploy/relay.Dockerfile": build }, false, "deploy/relay.Dockerfile"],
    ["Dockerfile.* named by a workflow", { "build/Dockerfile.api": build, "build/Dockerfile.worker": build, ".github/workflows/release.yml": "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build -f build/Dockerfile.api --push -t x .\n" }, false, "build/Dockerfile.api"],
    ["a Dockerfile a Makefile builds over the root one", { "deploy/Dockerfile.release": build, Makefile: "image:\n\tdocker build -f deploy/Dockerfile.release -t $(IMAGE) .\n" }, true, "deploy/Dockerfile.release"],
    ["a Dockerfile a bake file names", { "docker/Dockerfile.prod": build, "docker/Dockerfile.dev": build, "docker-bake.hcl": 'target "default" {\n  dockerfile = "docker/Dockerfile.prod"\n}\n' }, false, "docker/Dockerfile.prod"],
    ["a Dockerfile a compose file names, relative to it", { "deploy/Dockerfile.svc": build, "deploy/Dockerfile.db": build, "deploy/compose.yaml": "services:\n  svc:\n    build:\n      context: .\n      dockerfile: Dockerfile.svc\n" }, false, "deploy/Dockerfile.svc"],
    // glance: GoReleaser's config names Dockerfile.goreleaser, which only COPYs the binary it builds.
    ["a named image of a prebuilt binary yields to a root Dockerfile that builds", { "Dockerfile.goreleaser": "FROM alpine:3.22\nCOPY glance /app/\n", ".goreleaser.yaml": "dockers:\n  - dockerfile: Dockerfile.goreleaser\n" }, true, "Dockerfile"],
    ["not to a root Dockerfile that COPYs a prebuilt binary too", { Dockerfile: "FROM alpine:3.22\nCOPY svc /svc\n", "Dockerfile.goreleaser": "FROM alpine:3.22\nCOPY glance /app/\n", ".goreleaser.yaml": "dockers:\n  - dockerfile: Dockerfile.goreleaser\n" }, true, "Dockerfile.goreleaser"],
  ])("%s", (_name, files, keepRoot, expected) => {
    const c = choice(files as Record<string, string>, keepRoot as boolean);
    expect(c.ambiguous).toBeUndefined();
    expect(detectedDefaults({ dockerfiles: c.dockerfiles, renovateConfigs: [] } as unknown as Detected).dockerfile).toBe(expected);
  });

  it("several built by CI (alpine and distroless under packaging/docker/, packaging toolchains beside them): the first the workflow builds, said why", () => {
    const rpm = "FROM rockylinux:9\nRUN dnf install -y rpm-build\nRUN mkdir -p /root/rpmbuild/SPECS\n";
    const workflow = "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          file: ./packaging/docker/alpine/Dockerfile\n      - uses: docker/build-push-action@v6\n        with:\n          file: ./packaging/docker/distroless/Dockerfile\n";
    const files = {
      "packaging/docker/distroless/Dockerfile": build,
      "packaging/docker/alpine/Dockerfile": build,
      "packaging/debian/Dockerfile": deb,
      "packaging/rpm/Dockerfile": rpm,
      ".github/workflows/docker.yml": workflow,
    };
    const c = choice(files, false);
    expect(c.ambiguous).toBeUndefined();
    expect(c.dockerfiles[0]?.path).toBe("packaging/docker/alpine/Dockerfile");
    expect(c.chosenOfSeveral).toBe(
      "several Dockerfiles are built here (packaging/docker/alpine/Dockerfile in .github/workflows/docker.yml; packaging/docker/distroless/Dockerfile in .github/workflows/docker.yml): scanning packaging/docker/alpine/Dockerfile, the first one .github/workflows/docker.yml builds; choose another with --dockerfile PATH",
    );
    expect(c.dockerfiles.filter((d) => d.excluded).map((d) => d.path).sort()).toEqual(["packaging/debian/Dockerfile", "packaging/rpm/Dockerfile"]);
    // The order in the workflow decides, not the path.
    const swapped = choice({ ...files, ".github/workflows/docker.yml": workflow.replace("alpine", "TMP").replace("distroless", "alpine").replace("TMP", "distroless") }, false);
    expect(swapped.dockerfiles[0]?.path).toBe("packaging/docker/distroless/Dockerfile");
  });

  it("several left: ambiguous, listed", () => {
    const c = choice({ "build/Dockerfile.api": build, "build/Dockerfile.worker": build }, false);
    expect(c.ambiguous).toEqual(["build/Dockerfile.api", "build/Dockerfile.worker"]);
  });

  it("says why a Dockerfile is left out", () => {
    const c = choice({ ".devcontainer/Dockerfile": dev, "pkg/deb/Dockerfile": deb });
    expect(c.dockerfiles.map((d) => [d.path, d.excluded])).toEqual([
      ["Dockerfile", undefined],
      [".devcontainer/Dockerfile", "under .devcontainer/, not the service image"],
      ["pkg/deb/Dockerfile", "builds OS packages (a packaging toolchain image), not the service image"],
    ]);
  });

  it.each([
    ["CRLF", Buffer.from(build.replace(/\n/g, "\r\n"))],
    ["a BOM", Buffer.from(`\uFEFF${build}`)],
    ["not UTF-8", Buffer.concat([Buffer.from("# \xe9t\xe9\n", "latin1"), Buffer.from(build)])],
  ])("reads a %s Dockerfile", (_name, bytes) => {
    const dir = repo({}, false);
    mkdirSync(join(dir, "svc"));
    writeFileSync(join(dir, "svc/Dockerfile-server"), bytes);
    const c = chooseDockerfiles(dir);
    expect(c.dockerfiles[0]).toMatchObject({ path: "svc/Dockerfile-server", finalBaseImage: "gcr.io/distroless/static", builderGoVersion: "1.25" });
  });
});

// The shape of vmware-tanzu/velero: the service's root Dockerfile, a Windows variant beside it, and a
// build-toolchain image a push workflow publishes. A workflow's paths list names all three.
describe("a Windows variant and the root Dockerfile named as a file", () => {
  const windows = "ARG OS_VERSION=1809\nFROM --platform=$BUILDPLATFORM golang:1.26 AS b\nRUN go build -o /a.exe .\nFROM mcr.microsoft.com/windows/nanoserver:${OS_VERSION}\nCOPY --from=b /a.exe /a.exe\n";
  const prContainers = "name: build containers on Dockerfile change\non:\n  pull_request:\n    paths:\n      - 'Dockerfile'\n      - 'Dockerfile-Windows'\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./hack/docker-push.sh\n";
  const pushBuilder = "on:\n  push:\n    paths:\n    - 'hack/build-image/Dockerfile'\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make build-image\n";
  const velero = {
    "Dockerfile-Windows": windows,
    "hack/build-image/Dockerfile": "FROM golang:1.26\nRUN go install golang.org/x/tools/cmd/goimports@latest\n",
    ".github/workflows/pr-containers.yml": prContainers,
    ".github/workflows/push-builder.yml": pushBuilder,
    Makefile: "VELERO_DOCKERFILE ?= Dockerfile\nVELERO_DOCKERFILE_WINDOWS ?= Dockerfile-Windows\n",
  };

  it("scans the root Dockerfile, never the Windows image (the gate's runner is Linux), and says which CI builds", () => {
    const c = choice(velero);
    expect(c.dockerfiles[0]?.path).toBe("Dockerfile");
    expect(c.dockerfiles.find((d) => d.path === "Dockerfile-Windows")?.excluded).toBe("a Windows image (FROM mcr.microsoft.com/windows/nanoserver:1809), which the gate's Linux runner cannot build");
    // The build-toolchain image copies nothing of the checkout: not the service's, so no choice to explain.
    expect(c.dockerfiles.find((d) => d.path === "hack/build-image/Dockerfile")?.excluded).toBe(
      "copies nothing from the build context (no COPY or ADD of it, no RUN --mount of it), so its image holds none of the service's code",
    );
    expect(c.chosenOfSeveral).toBeUndefined();
  });

  it.each([
    ["CRLF", (t: string) => Buffer.from(t.replace(/\n/g, "\r\n"))],
    ["a BOM", (t: string) => Buffer.from(`\uFEFF${t}`)],
    ["non-UTF-8 bytes", (t: string) => Buffer.from(`# caf\xe9\n${t}`, "latin1")],
  ])("the root named in a paths list and a Makefile counts as %s", (_name, enc) => {
    const dir = repo(velero);
    for (const [rel, text] of Object.entries(velero)) writeFileSync(join(dir, rel), enc(text));
    const c = chooseDockerfiles(dir);
    expect(c.dockerfiles[0]?.path).toBe("Dockerfile");
    expect(c.dockerfiles.filter((d) => !d.excluded).map((d) => d.path)).toEqual(["Dockerfile"]);
  });

  it.each([
    ["CRLF", (t: string) => t.replace(/\n/g, "\r\n")],
    ["a BOM", (t: string) => `\uFEFF${t}`],
    ["non-UTF-8 bytes", (t: string) => Buffer.from(`# caf\xe9\n${t}`, "latin1").toString("latin1")],
  ])("the Windows image is left out as %s", (_name, enc) => {
    const dir = repo({}, false);
    writeFileSync(join(dir, "Dockerfile-Windows"), Buffer.from(enc(windows), _name === "non-UTF-8 bytes" ? "latin1" : "utf8"));
    const c = chooseDockerfiles(dir);
    expect(c.dockerfiles.map((d) => [d.path, d.excluded?.slice(0, 15)])).toEqual([["Dockerfile-Windows", "a Windows image"]]);
  });

  it("the root named only in prose is no evidence: the Dockerfile a build names still wins", () => {
    const c = choice({ "deploy/Dockerfile.release": build, ".github/workflows/release.yml": prContainers.replace(/      - 'Dockerfile'\n      - 'Dockerfile-Windows'\n/, "      - 'deploy/**'\n").replace("./hack/docker-push.sh", "docker build -f deploy/Dockerfile.release .") });
    expect(c.dockerfiles[0]?.path).toBe("deploy/Dockerfile.release");
    expect(c.chosenOfSeveral).toBeUndefined();
  });

  it.each([
    ["docker build -f Dockerfile .", true],
    ["docker build --file=./Dockerfile .", true],
    ["      file: ./Dockerfile", true],
    ["DOCKERFILE ?= Dockerfile", true],
    ["      - 'Dockerfile'", true],
    ["name: rebuild on Dockerfile change", false],
    ["# see the Dockerfile for details", false],
    ["      - 'Dockerfile.dev'", false],
  ])("the root Dockerfile named by %j: %s", (line, named) => {
    const c = choice({ "deploy/Dockerfile.release": build, Makefile: `image:\n\tdocker build -f deploy/Dockerfile.release .\n`, "build.mk": `${line}\n` });
    expect(c.dockerfiles[0]?.path).toBe(named ? "Dockerfile" : "deploy/Dockerfile.release");
  });
});

describe("of several named in one file, the first named as a file", () => {
  it("the word in the workflow's name does not put the root Dockerfile first", () => {
    const wf = "name: images on Dockerfile change\non: [pull_request]\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build -f deploy/Dockerfile.release .\n      - run: docker build -f Dockerfile .\n";
    const c = chooseDockerfiles(repo({ "deploy/Dockerfile.release": build, ".github/workflows/images.yml": wf }));
    expect(c.dockerfiles[0]?.path).toBe("deploy/Dockerfile.release");
    expect(c.chosenOfSeveral).toContain("scanning deploy/Dockerfile.release, the first one .github/workflows/images.yml builds");
  });
});

// The shape of containrrr/watchtower: a release Dockerfile that COPYs goreleaser's binary (named only by
// the goreleaser config), a "self-contained" one a push workflow builds that clones the upstream branch
// instead of copying the checkout, and a dev one that copies the checkout, named by docker-compose.
describe("a Dockerfile that clones its source, one goreleaser names, one compose names", () => {
  const clones = "FROM golang:alpine AS builder\nARG VERSION=main\nRUN apk add --no-cache git\nRUN git clone --branch \"${VERSION}\" https://github.com/acme/svc.git\nRUN cd svc && go build -o /svc .\nFROM scratch\nCOPY --from=builder /svc /svc\n";
  const copies = "FROM golang:alpine AS builder\nCOPY . /svc\nRUN cd /svc && go build -o /out/svc .\nFROM scratch\nCOPY --from=builder /out/svc /svc\n";
  const prebuilt = "FROM alpine:3.20\nCOPY svc /svc\nENTRYPOINT [\"/svc\"]\n";
  const files = {
    "dockerfiles/Dockerfile": prebuilt,
    "dockerfiles/Dockerfile.self-contained": clones,
    "dockerfiles/Dockerfile.dev-self-contained": copies,
    ".github/workflows/release-dev.yaml": "on:\n  push:\n    branches: [main]\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          file: dockerfiles/Dockerfile.self-contained\n          push: true\n",
    ".github/workflows/pull-request.yml": "on: pull_request\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: go test ./...\n",
    "goreleaser.yml": "dockers:\n  - image_templates: [acme/svc:{{ .Version }}]\n    dockerfile: dockerfiles/Dockerfile\n",
    "docker-compose.yml": "services:\n  svc:\n    build:\n      context: .\n      dockerfile: dockerfiles/Dockerfile.dev-self-contained\n",
  };

  it("leaves out the clone, prefers the one a clean checkout builds over goreleaser's, and says which file names each", () => {
    const c = choice(files, false);
    expect(c.ambiguous).toBeUndefined();
    expect(c.dockerfiles[0]?.path).toBe("dockerfiles/Dockerfile.dev-self-contained");
    expect(c.dockerfiles.find((d) => d.path === "dockerfiles/Dockerfile.self-contained")?.excluded).toBe(
      'builds from a clone of the source (line 4: RUN git clone --branch "${VERSION}" https://github.com/acme/svc.git) and copies nothing from the build context, so a scan of it never sees the pull request\'s code',
    );
    expect(c.chosenOfSeveral).toBe(
      "several Dockerfiles are built here (dockerfiles/Dockerfile in goreleaser.yml; dockerfiles/Dockerfile.dev-self-contained in docker-compose.yml): scanning dockerfiles/Dockerfile.dev-self-contained, the only one of them a clean checkout can build (the others COPY a binary that none of their stages builds); choose another with --dockerfile PATH",
    );
  });

  it("goreleaser's config names a Dockerfile (.goreleaser.yaml too)", () => {
    const c = choice({ "build/Dockerfile.release": prebuilt, "build/Dockerfile.other": copies, ".goreleaser.yaml": "dockers_v2:\n  - dockerfile: build/Dockerfile.release\n" }, false);
    expect(c.ambiguous).toBeUndefined();
    expect(c.dockerfiles[0]?.path).toBe("build/Dockerfile.release");
  });

  it.each([
    ["ADD of a git URL", true, "FROM golang:1.26 AS b\nADD https://github.com/acme/svc.git#main /src\nRUN cd /src && go build -o /svc .\nFROM scratch\nCOPY --from=b /svc /svc\n"],
    ["a clone beside a COPY of the checkout (a vendored tool, say)", false, "FROM golang:1.26 AS b\nRUN git clone https://github.com/acme/tool.git /tool\nCOPY . /src\nRUN cd /src && go build -o /svc .\nFROM scratch\nCOPY --from=b /svc /svc\n"],
    ["an ADD of a release tarball, no clone", false, "FROM alpine:3.20\nADD https://example.com/svc.tar.gz /svc.tgz\nCOPY svc.yaml /etc/svc/\n"],
  ])("%s: left out, %s", (_name, out, text) => {
    const c = choice({ "Dockerfile.x": text as string }, false);
    expect(Boolean(c.dockerfiles[0]?.excluded)).toBe(out);
  });

  // nats-io/nats-server's Dockerfile.nightly: three checkouts side by side, laid out by a nightly job.
  const sideBySide = "FROM golang:alpine AS builder\nWORKDIR /src\nCOPY ./svc/ /src/svc/\nCOPY [\"./cli/\", \"/src/cli/\"]\nCOPY --chown=1:1 ./tool/ /src/tool/\nRUN cd /src/svc && go build -o /out/svc .\nFROM alpine:3.22\nCOPY --from=builder /out/svc /bin/svc\n";
  it.each([
    ["LF", (t: string) => Buffer.from(t)],
    ["CRLF", (t: string) => Buffer.from(t.replace(/\n/g, "\r\n"))],
    ["a BOM", (t: string) => Buffer.from(`\uFEFF${t}`)],
    ["non-UTF-8 bytes", (t: string) => Buffer.from(`# caf\xe9\n${t}`, "latin1")],
  ])("one whose every COPY source is missing from the checkout is left out, saying which (%s)", (_name, enc) => {
    const dir = repo({}, false);
    mkdirSync(join(dir, "docker"), { recursive: true });
    writeFileSync(join(dir, "docker/Dockerfile.nightly"), enc(sideBySide));
    const c = chooseDockerfiles(dir);
    expect(c.dockerfiles[0]?.excluded).toBe("copies ./svc/, ./cli/, ./tool/ from its build context, and none of them is in the repository (from its root or docker/): it is built from a context laid out elsewhere");
    // One source there (from the root, or from the Dockerfile's folder) is enough to be a candidate.
    mkdirSync(join(dir, "docker/cli"));
    expect(chooseDockerfiles(dir).dockerfiles[0]?.excluded).toBeUndefined();
  });
  it.each([
    ["a glob whose folder is there", "FROM golang:1.26 AS b\nCOPY *.go go.* /src/\nRUN go build -o /svc /src\nFROM scratch\nCOPY --from=b /svc /svc\n", undefined],
    ["a variable source (nothing to look for)", "FROM golang:1.26 AS b\nARG SRC\nCOPY ${SRC} /src\nRUN go build -o /svc /src\nFROM scratch\nCOPY --from=b /svc /svc\n", undefined],
    ["one missing file beside go.mod", "FROM golang:1.26 AS b\nCOPY go.mod gen/ /src/\nRUN go build -o /svc /src\nFROM scratch\nCOPY --from=b /svc /svc\n", undefined],
    ["a single missing folder", "FROM golang:1.26 AS b\nCOPY ui/build /src\nRUN go build -o /svc /src\nFROM scratch\nCOPY --from=b /svc /svc\n", "copies ui/build from its build context, and it is not in the repository (from its root): it is built from a context laid out elsewhere"],
  ])("%s", (_name, text, want) => {
    const c = choice({ "Dockerfile.x": text }, false);
    if (want === undefined) expect(c.dockerfiles[0]?.excluded).toBeUndefined();
    else expect(c.dockerfiles[0]?.excluded).toBe(want);
  });

  it.each([
    ["CRLF", (t: string) => Buffer.from(t.replace(/\n/g, "\r\n"))],
    ["a BOM", (t: string) => Buffer.from(`\uFEFF${t}`)],
    ["non-UTF-8 bytes", (t: string) => Buffer.from(`# caf\xe9\n${t}`, "latin1")],
  ])("the same choice when every file is %s", (_name, enc) => {
    const dir = repo(files, false);
    for (const [rel, text] of Object.entries(files)) writeFileSync(join(dir, rel), enc(text));
    const c = chooseDockerfiles(dir);
    expect(c.dockerfiles[0]?.path).toBe("dockerfiles/Dockerfile.dev-self-contained");
    expect(c.dockerfiles.find((d) => d.path === "dockerfiles/Dockerfile.self-contained")?.excluded).toMatch(/^builds from a clone of the source \(line \d:/);
  });
});

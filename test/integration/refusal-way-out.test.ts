import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git, makeRepo, snapshot } from "../support/repo.js";

// A refusal (exit 2) says what to add by hand, and how to set up the rest today without it: the shape of
// prometheus/alertmanager, whose Dockerfile copies binaries its CI builds with promu.
const PREBUILT = {
  Dockerfile: "FROM busybox:1.37\nCOPY .build/linux-amd64/server /bin/server\nENTRYPOINT [\"/bin/server\"]\n",
  ".github/workflows/ci.yml": "name: CI\non:\n  pull_request:\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make build\n",
};

describe("a refusal names the way forward that needs no change to the build", () => {
  it("exit 2 with the step to add by hand and --no-image-scan, nothing written; --no-image-scan then sets up the rest", () => {
    const dir = makeRepo("example", { files: PREBUILT });
    const before = snapshot(dir);
    const refused = runCli(["--yes", dir], { timeoutMs: 120_000 });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("COPYs a binary that none of its stages builds (line 2: COPY .build/linux-amd64/server /bin/server)");
    expect(refused.stderr).toContain("re-run with --no-image-scan (the daily govulncheck rescan of the code and its issues); to add the gate later, re-run with --image-scan.");
    expect(snapshot(dir)).toEqual(before);

    const rest = runCli(["--yes", "--no-image-scan", dir], { timeoutMs: 120_000 });
    expect(rest.code).toBe(0);
    expect(rest.stdout).toContain("create    .github/workflows/security-scan.yml");
    expect(snapshot(dir).get(".github/workflows/ci.yml")).toBe(before.get(".github/workflows/ci.yml"));
  });
});

// The shape of glanceapp/glance: a root Dockerfile that builds from the source, and Dockerfile.goreleaser,
// which only COPYs the binary GoReleaser builds and is the one a build file (.goreleaser.yaml) names. No
// workflow runs on pull requests, so ci.yml is created with our image-scan job.
const GLANCE = {
  Dockerfile: "FROM golang:1.26-alpine AS builder\nWORKDIR /app\nCOPY . /app\nRUN CGO_ENABLED=0 go build .\nFROM alpine:3.23\nCOPY --from=builder /app/hello-service /app/\n",
  "Dockerfile.goreleaser": "FROM alpine:3.22\nWORKDIR /app\nCOPY glance .\nENTRYPOINT [\"/app/glance\"]\n",
  ".goreleaser.yaml": "dockers:\n  - image_templates: ['{{ .ProjectName }}:{{ .Tag }}-amd64']\n    use: buildx\n    dockerfile: Dockerfile.goreleaser\n",
  ".github/workflows/release.yaml": "name: Release\non:\n  push:\n    tags: ['v*']\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: goreleaser/goreleaser-action@v6\n        with:\n          args: release --clean\n",
};

describe("a release Dockerfile that only COPYs GoReleaser's binary", () => {
  const encodings: [string, (t: string) => Buffer][] = [
    ["LF", (t) => Buffer.from(t)],
    ["CRLF", (t) => Buffer.from(t.replace(/\n/g, "\r\n"))],
    ["a BOM", (t) => Buffer.from(`\uFEFF${t}`)],
    ["a Latin-1 comment", (t) => Buffer.concat([Buffer.from("# caf"), Buffer.from([0xe9]), Buffer.from(`\n${t}`)])],
  ];

  it.each(encodings)("beside a root Dockerfile that builds from the source, the root one is built and scanned (%s)", (_name, enc) => {
    const dir = makeRepo("example");
    for (const [rel, text] of Object.entries(GLANCE)) writeFileSync(join(dir, rel), rel.endsWith(".yaml") && rel.startsWith(".github") ? text : enc(text));
    rmSync(join(dir, ".github/workflows/ci.yml"));
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "glance's shape");
    const r = runCli(["--yes", "--dry-run", dir], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("note: Dockerfile.goreleaser in .goreleaser.yaml COPYs a binary that none of its stages builds (a release builds it first), which a clean checkout cannot build: scanning Dockerfile, which builds from the source; choose another with --dockerfile PATH");
    expect(r.stdout).toContain("DOCKERFILE: 'Dockerfile'");
    expect(r.stdout).not.toContain("DOCKERFILE: 'Dockerfile.goreleaser'");
  }, 300_000);

  it.each(encodings)("alone, with no pull-request workflow: refused with the way out, nothing written (%s)", (_name, enc) => {
    const dir = makeRepo("example");
    writeFileSync(join(dir, "Dockerfile"), enc(GLANCE["Dockerfile.goreleaser"]));
    writeFileSync(join(dir, ".goreleaser.yaml"), enc(GLANCE[".goreleaser.yaml"].replace("Dockerfile.goreleaser", "Dockerfile")));
    writeFileSync(join(dir, ".github/workflows/release.yaml"), GLANCE[".github/workflows/release.yaml"]);
    rmSync(join(dir, ".github/workflows/ci.yml"));
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "a release image only");
    const before = snapshot(dir);
    const r = runCli(["--yes", dir], { timeoutMs: 120_000 });
    expect(r.code).toBe(2);
    // Line 3, or 4 below the Latin-1 comment.
    expect(r.stderr).toMatch(/no workflow runs on pull_request, and Dockerfile COPYs a binary that none of its stages builds \(line [34]: COPY glance \.\)/);
    expect(r.stderr).toContain("re-run with --no-image-scan");
    expect(snapshot(dir)).toEqual(before);
  }, 300_000);
});

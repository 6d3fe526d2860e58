import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { git, makeRepo } from "../support/repo.js";

/**
 * Issue 20.4 follow-up: the validate preview scans the final stage's base image from the registry. With
 * `ARG BASE=placeholder` + `FROM ${BASE}`, the image CI builds is on the base CI passes
 * (`--build-arg BASE=...`), so that is the one to preview, never `placeholder`. Trivy is a fake on PATH
 * that records its arguments and reports nothing.
 */
function fakeTrivy(): { bin: string; log: string } {
  const bin = mkdtempSync(join(tmpdir(), "relay-fake-trivy-"));
  const log = join(bin, "calls.log");
  writeFileSync(
    join(bin, "trivy"),
    `#!/bin/sh
printf '%s\\n' "$*" >>"${log}"
case "$1" in
  --version) echo "Version: 0.74.0" ;;
  config) echo '{"SchemaVersion":2,"Results":[]}' ;;
  *) echo '{"SchemaVersion":2,"Results":[]}' ;;
esac
`,
  );
  chmodSync(join(bin, "trivy"), 0o755);
  writeFileSync(log, "");
  return { bin, log };
}

const dockerfile = `ARG BASE=placeholder
FROM golang:1.24.5-alpine AS build
WORKDIR /src
COPY go.mod ./
COPY *.go ./
RUN CGO_ENABLED=0 go build -o /out/hello-service .

FROM \${BASE}
COPY --from=build /out/hello-service /usr/local/bin/hello-service
ENTRYPOINT ["/usr/local/bin/hello-service"]
`;

const ci = `name: CI
on:
  pull_request:
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          persist-credentials: false
      - name: Build image
        run: docker build --build-arg BASE=gcr.io/distroless/static-debian12:nonroot -t ghcr.io/acme/hello-service:\${{ github.sha }} .
`;

const imageScans = (log: string) => readFileSync(log, "utf8").split("\n").filter((l) => l.startsWith("image "));

describe("the preview's base image is the one CI builds on", () => {
  it("ARG BASE=placeholder with CI's --build-arg BASE=...: set-up and validate preview that base, not `placeholder`", () => {
    const dir = makeRepo("example", { files: { Dockerfile: dockerfile, ".github/workflows/ci.yml": ci } });
    const trivy = fakeTrivy();
    const env = { PATH: `${trivy.bin}:${process.env.PATH ?? ""}` };
    const r = runCli(["--yes", dir], { env });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(imageScans(trivy.log).length).toBeGreaterThan(0);
    for (const call of imageScans(trivy.log)) {
      expect(call).toMatch(/--image-src remote gcr\.io\/distroless\/static-debian12:nonroot$/);
      expect(call).not.toContain("placeholder");
    }
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "relay-security");
    writeFileSync(trivy.log, "");
    const v = runCli(["validate", "--offline", dir], { env });
    expect(v.stdout).toContain("gcr.io/distroless/static-debian12:nonroot");
    expect(imageScans(trivy.log)).toEqual([expect.stringMatching(/--image-src remote gcr\.io\/distroless\/static-debian12:nonroot$/)]);
  });

  it("the answers' --build-arg wins over CI's", () => {
    const dir = makeRepo("example", { files: { Dockerfile: dockerfile, ".github/workflows/ci.yml": ci } });
    const trivy = fakeTrivy();
    const r = runCli(["--yes", "--build-arg", "BASE=alpine:3.22", dir], { env: { PATH: `${trivy.bin}:${process.env.PATH ?? ""}` } });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const scans = imageScans(trivy.log);
    expect(scans.length).toBeGreaterThan(0);
    for (const call of scans) expect(call).toMatch(/--image-src remote alpine:3\.22$/);
  });
});

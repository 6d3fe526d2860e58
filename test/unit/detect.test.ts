import { describe, expect, it } from "vitest";
import { copySources, parseDockerfile } from "../../src/detect/dockerfile.js";
import { parseGoMod } from "../../src/detect/gomod.js";
import { defaultImageName, parseRemote } from "../../src/detect/remote.js";

describe("parseGoMod", () => {
  it.each([
    ["module example.com/svc\n\ngo 1.24\n", { modulePath: "example.com/svc", goVersion: "1.24", toolchain: undefined }],
    ["// comment\nmodule github.com/a/b // trailing\n\ngo 1.23.4\n\ntoolchain go1.24.2\n", { modulePath: "github.com/a/b", goVersion: "1.23.4", toolchain: "go1.24.2" }],
    ['module "example.com/quoted"\r\ngo 1.22\r\n', { modulePath: "example.com/quoted", goVersion: "1.22", toolchain: undefined }],
    ["go 1.22\n", { modulePath: undefined, moduleProblem: "no `module` line", goVersion: "1.22", toolchain: undefined }],
  ])("%j", (text, expected) => expect(parseGoMod(text)).toEqual(expected));
});

describe("parseRemote", () => {
  it.each([
    ["https://github.com/Acme/Hello-Service.git", { host: "github.com", owner: "Acme", repo: "Hello-Service" }],
    ["https://github.com/acme/svc", { host: "github.com", owner: "acme", repo: "svc" }],
    ["https://x-access-token:abc@github.com/acme/svc.git", { host: "github.com", owner: "acme", repo: "svc" }],
    ["git@github.com:acme/svc.git", { host: "github.com", owner: "acme", repo: "svc" }],
    ["ssh://git@github.com/acme/svc.git", { host: "github.com", owner: "acme", repo: "svc" }],
    ["ssh://git@github.com:22/acme/svc", { host: "github.com", owner: "acme", repo: "svc" }],
    ["git@gitlab.com:acme/svc.git", { host: "gitlab.com", owner: "acme", repo: "svc" }],
    ["/srv/git/svc.git", undefined],
  ])("%s", (url, expected) => expect(parseRemote(url)).toEqual(expected));

  it("lower-cases the default image name", () => {
    expect(defaultImageName({ owner: "Acme", repo: "Hello.Service" })).toBe("ghcr.io/acme/hello.service");
  });
});

describe("parseDockerfile", () => {
  it.each([
    [
      "multi-stage with a golang builder",
      "FROM golang:1.24.5-alpine AS build\nCOPY . .\nRUN go build -o /app .\nFROM alpine:3.22\nCOPY --from=build /app /app\n",
      { finalBaseImage: "alpine:3.22", builderGoVersion: "1.24.5", copiesPrebuiltBinary: false, contextSources: ["."] },
    ],
    [
      "builder version from an ARG, platform flag, digest",
      "ARG GO_VERSION=1.23.4\nFROM --platform=$BUILDPLATFORM golang:${GO_VERSION}@sha256:abc AS builder\nCOPY . .\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=builder /x /x\n",
      { finalBaseImage: "gcr.io/distroless/static:nonroot", builderGoVersion: "1.23.4", copiesPrebuiltBinary: false, contextSources: ["."], fromArgs: [{ name: "GO_VERSION", default: "1.23.4", placeholder: false }] },
    ],
    [
      "goreleaser style: copies a prebuilt binary",
      "FROM gcr.io/distroless/static\nCOPY hello /usr/bin/hello\nENTRYPOINT [\"/usr/bin/hello\"]\n",
      { finalBaseImage: "gcr.io/distroless/static", builderGoVersion: undefined, copiesPrebuiltBinary: true, prebuiltCopy: { line: 2, text: "COPY hello /usr/bin/hello" }, contextSources: ["hello"] },
    ],
    [
      "single stage that builds",
      "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /hello .\n",
      { finalBaseImage: "golang:1.22", builderGoVersion: "1.22", copiesPrebuiltBinary: false, contextSources: ["."] },
    ],
    [
      "continuation lines and comments",
      "# syntax=docker/dockerfile:1\nFROM golang:1.25 \\\n  AS build\nRUN --mount=type=bind,target=/src go build\nFROM scratch\nCOPY --from=build /a /a\n",
      { finalBaseImage: "scratch", builderGoVersion: "1.25", copiesPrebuiltBinary: false },
    ],
    [
      // The shape of coredns/coredns: the prebuilt binary goes into a debian stage that setcaps it.
      "a prebuilt binary copied into a builder stage, then COPY --from",
      "FROM debian:stable-slim AS build\nRUN apt-get install -y libcap2-bin\nCOPY coredns /coredns\nRUN setcap cap_net_bind_service=+ep /coredns\nFROM gcr.io/distroless/static\nCOPY --from=build /coredns /coredns\n",
      { finalBaseImage: "gcr.io/distroless/static", builderGoVersion: undefined, copiesPrebuiltBinary: true, prebuiltCopy: { line: 3, text: "COPY coredns /coredns" }, contextSources: ["coredns"] },
    ],
    [
      "a bind mount of the context reads it",
      "FROM golang:1.26 AS b\nRUN --mount=type=bind,target=/src --mount=type=cache,target=/root/.cache cd /src && go build -o /a .\nFROM scratch\nCOPY --from=b /a /a\n",
      { finalBaseImage: "scratch", builderGoVersion: "1.26", copiesPrebuiltBinary: false },
    ],
    [
      // The shape of go-shiori/shiori's Dockerfile.compose: `go run` on a folder compose mounts.
      "nothing read from the context",
      "FROM docker.io/golang:1.22-alpine\nWORKDIR /src/app\nENTRYPOINT [\"go\", \"run\", \"main.go\"]\n",
      { finalBaseImage: "docker.io/golang:1.22-alpine", builderGoVersion: "1.22", copiesPrebuiltBinary: false, readsNoContext: true },
    ],
    [
      "a bind mount from another stage is not the context",
      "FROM golang:1.26 AS b\nRUN --mount=type=bind,from=src,target=/src go build\nFROM scratch\nCOPY --from=b /a /a\n",
      { finalBaseImage: "scratch", builderGoVersion: "1.26", copiesPrebuiltBinary: false, readsNoContext: true },
    ],
  ])("%s", (_name, text, expected) => expect(parseDockerfile("Dockerfile", text)).toEqual({ path: "Dockerfile", ...expected }));

  // Issue 20.4: stage aliases and ARG base images, resolved as Docker does.
  const certs = "FROM alpine:3.22 AS certs\nRUN apk add --no-cache ca-certificates\nFROM scratch\nCOPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY artifacts/binaries/$TARGETPLATFORM/app /app\nENTRYPOINT [\"/app\"]\n";
  it.each([
    ["a stage alias", "FROM gcr.io/distroless/static:nonroot AS base\nFROM golang:1.25 AS build\nRUN go build -o /a .\nFROM base\nCOPY --from=build /a /a\n", { finalBaseImage: "gcr.io/distroless/static:nonroot", builderGoVersion: "1.25" }],
    ["an alias of an alias", "FROM alpine:3.22 AS a\nFROM a AS b\nFROM golang:1.25 AS build\nRUN go build\nFROM b\nCOPY --from=build /a /a\n", { finalBaseImage: "alpine:3.22" }],
    ["an ARG base image", "ARG BASE=gcr.io/distroless/base-debian12\nFROM golang:1.25 AS build\nRUN go build\nFROM ${BASE}\nCOPY --from=build /a /a\n", { finalBaseImage: "gcr.io/distroless/base-debian12" }],
    ["${X:-default} with no default on the ARG", "ARG GO_VERSION\nFROM golang:${GO_VERSION:-1.26} AS build\nRUN go build\nFROM alpine\nCOPY --from=build /a /a\n", { builderGoVersion: "1.26", fromArgs: [{ name: "GO_VERSION", placeholder: false }] }],
    ["the builder the final stage copies from", "FROM golang:1.21 AS tools\nRUN go install x@v1\nFROM golang:1.25 AS build\nRUN go build\nFROM scratch\nCOPY --from=build /a /a\n", { builderGoVersion: "1.25" }],
    ["an ARG without a default, used bare", "ARG BASE\nFROM golang:1.25 AS b\nRUN go build\nFROM ${BASE}\nCOPY --from=b /a /a\n", { finalBaseImage: "", fromArgs: [{ name: "BASE", placeholder: true }] }],
    ["a placeholder default", "ARG BUILD_IMAGE=placeholder\nFROM ${BUILD_IMAGE} AS build\nRUN go build\nFROM scratch\nCOPY --from=build /a /a\n", { fromArgs: [{ name: "BUILD_IMAGE", default: "placeholder", placeholder: true }] }],
    ["PLEASE_PROVIDE_...", "ARG GO_VERSION=PLEASE_PROVIDE_GO_VERSION\nFROM golang:${GO_VERSION}\nRUN go build\n", { builderGoVersion: undefined, fromArgs: [{ name: "GO_VERSION", default: "PLEASE_PROVIDE_GO_VERSION", placeholder: true }] }],
    ["a certs-only builder stage and a prebuilt binary", certs, { finalBaseImage: "scratch", copiesPrebuiltBinary: true, prebuiltCopy: { line: 5, text: "COPY artifacts/binaries/$TARGETPLATFORM/app /app" } }],
    ["CRLF", certs.replace(/\n/g, "\r\n"), { finalBaseImage: "scratch", prebuiltCopy: { line: 5, text: "COPY artifacts/binaries/$TARGETPLATFORM/app /app" } }],
    ["a BOM", `\uFEFF${certs}`, { finalBaseImage: "scratch", prebuiltCopy: { line: 5, text: "COPY artifacts/binaries/$TARGETPLATFORM/app /app" } }],
    ["not UTF-8 (a Latin-1 comment)", Buffer.from("# Auteur: J\xe9r\xf4me\nFROM golang:1.25 AS b\nRUN go build\nFROM alpine:3.22\nCOPY --from=b /a /a\n", "latin1").toString("utf8"), { finalBaseImage: "alpine:3.22", builderGoVersion: "1.25", copiesPrebuiltBinary: false }],
  ])("%s", (_name, text, expected) => expect(parseDockerfile("Dockerfile", text)).toMatchObject(expected));

  it.each([
    ["flags and the destination are not sources", "--chown=1:1 --chmod=644 --link a b/ /dst/", ["a", "b/"]],
    ["the JSON form", '["a b", "c", "/dst"]', ["a b", "c"]],
    ["a glob is its folder; one with no folder is the context", "cmd/*.go *.mod /dst", ["cmd/", "."]],
    ["a variable or a heredoc is left out", "${SRC} <<EOF /dst", []],
    ["broken JSON reads as nothing", '["a", /dst', []],
  ])("copySources: %s", (_name, args, want) => expect(copySources(args)).toEqual(want));

  it("a value CI passes replaces the ARG default", () => {
    const text = "ARG BUILD_IMAGE=placeholder\nFROM ${BUILD_IMAGE} AS build\nRUN go build\nFROM scratch\nCOPY --from=build /a /a\n";
    expect(parseDockerfile("Dockerfile", text, { BUILD_IMAGE: "golang:1.25" })).toMatchObject({ builderGoVersion: "1.25", fromArgs: [{ name: "BUILD_IMAGE", given: "golang:1.25" }] });
  });
});

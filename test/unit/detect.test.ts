import { describe, expect, it } from "vitest";
import { parseDockerfile } from "../../src/detect/dockerfile.js";
import { parseGoMod } from "../../src/detect/gomod.js";
import { defaultImageName, parseRemote } from "../../src/detect/remote.js";

describe("parseGoMod", () => {
  it.each([
    ["module example.com/svc\n\ngo 1.24\n", { modulePath: "example.com/svc", goVersion: "1.24", toolchain: undefined }],
    ["// comment\nmodule github.com/a/b // trailing\n\ngo 1.23.4\n\ntoolchain go1.24.2\n", { modulePath: "github.com/a/b", goVersion: "1.23.4", toolchain: "go1.24.2" }],
    ['module "example.com/quoted"\r\ngo 1.22\r\n', { modulePath: "example.com/quoted", goVersion: "1.22", toolchain: undefined }],
    ["go 1.22\n", { modulePath: undefined, goVersion: "1.22", toolchain: undefined }],
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
      "FROM golang:1.24.5-alpine AS build\nRUN go build -o /app .\nFROM alpine:3.22\nCOPY --from=build /app /app\n",
      { finalBaseImage: "alpine:3.22", builderGoVersion: "1.24.5", copiesPrebuiltBinary: false },
    ],
    [
      "builder version from an ARG, platform flag, digest",
      "ARG GO_VERSION=1.23.4\nFROM --platform=$BUILDPLATFORM golang:${GO_VERSION}@sha256:abc AS builder\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=builder /x /x\n",
      { finalBaseImage: "gcr.io/distroless/static:nonroot", builderGoVersion: "1.23.4", copiesPrebuiltBinary: false },
    ],
    [
      "goreleaser style: copies a prebuilt binary",
      "FROM gcr.io/distroless/static\nCOPY hello /usr/bin/hello\nENTRYPOINT [\"/usr/bin/hello\"]\n",
      { finalBaseImage: "gcr.io/distroless/static", builderGoVersion: undefined, copiesPrebuiltBinary: true },
    ],
    [
      "single stage that builds",
      "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /hello .\n",
      { finalBaseImage: "golang:1.22", builderGoVersion: "1.22", copiesPrebuiltBinary: false },
    ],
    [
      "continuation lines and comments",
      "# syntax=docker/dockerfile:1\nFROM golang:1.25 \\\n  AS build\nRUN go build\nFROM scratch\nCOPY --from=build /a /a\n",
      { finalBaseImage: "scratch", builderGoVersion: "1.25", copiesPrebuiltBinary: false },
    ],
  ])("%s", (_name, text, expected) => expect(parseDockerfile("Dockerfile", text)).toEqual({ path: "Dockerfile", ...expected }));
});

/**
 * Issue 13, item 9: --pin-base-images pins the Dockerfile's FROM lines by digest, byte-preserving, only
 * where the registry answers (a local OCI registry on 127.0.0.1 here), and reports the rest.
 */
import { createServer } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planBaseImagePins } from "../../src/digests/index.js";
import { fromLines } from "../../src/digests/from-lines.js";
import { registryOf } from "../../src/digests/registry.js";
import { runInit } from "../../src/run.js";
import { runCommand } from "../../src/commands.js";
import { initOptions, scriptedDeps } from "../support/deps.js";
import { ociRegistry, sha256 } from "../support/oci-registry.js";
import { git, makeRepo } from "../support/repo.js";
import { quietDeps } from "../upgrade/support.js";

const INDEX = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] });
const ALPINE = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [{ digest: "sha256:1" }] });

let reg: Awaited<ReturnType<typeof ociRegistry>>;
beforeAll(async () => {
  reg = await ociRegistry({
    "library/golang:1.26-alpine": { body: INDEX },
    "library/alpine:3.22": { body: ALPINE },
    "liar/image:1": { body: INDEX, claimed: sha256("something else") },
  });
});
afterAll(() => reg.close());

const dockerfile = (h: string, eol = "\n") =>
  [
    "# syntax=docker/dockerfile:1",
    "ARG GO=1.26",
    `FROM --platform=$BUILDPLATFORM ${h}/library/golang:1.26-alpine AS build`,
    "RUN go build ./...",
    "FROM build AS test",
    "FROM golang:${GO}",
    `FROM ${h}/library/alpine:3.22@sha256:${"a".repeat(64)}`,
    "FROM scratch",
    `from ${h}/library/alpine:3.22`,
    `FROM ${h}/nopin`,
    "",
  ].join(eol);

const pinned = (h: string, eol = "\n") =>
  dockerfile(h, eol)
    .replace(`${h}/library/golang:1.26-alpine AS`, `${h}/library/golang:1.26-alpine@${sha256(INDEX)} AS`)
    .replace(`from ${h}/library/alpine:3.22`, `from ${h}/library/alpine:3.22@${sha256(ALPINE)}`);

describe("fromLines", () => {
  it("finds what can be pinned, and says why the rest is left", () => {
    const { pinnable, skipped } = fromLines(dockerfile("r.example"));
    expect(pinnable.map((p) => [p.line, p.ref])).toEqual([[3, "r.example/library/golang:1.26-alpine"], [9, "r.example/library/alpine:3.22"]]);
    expect(skipped.map((s) => [s.line, s.why.split(/[,:;]/)[0]])).toEqual([
      [5, "an earlier build stage"],
      [6, "set by a build argument"],
      [7, "already pinned by digest"],
      [8, "scratch is no image"],
      [10, "no tag"],
    ]);
  });

  it.each([
    ["golang:1.26", "registry-1.docker.io", "library/golang", "1.26"],
    ["docker.io/library/alpine:3.22", "registry-1.docker.io", "library/alpine", "3.22"],
    ["ghcr.io/acme/app:v1", "ghcr.io", "acme/app", "v1"],
    ["localhost:5000/app:2", "localhost:5000", "app", "2"],
    ["gcr.io/distroless/static:nonroot", "gcr.io", "distroless/static", "nonroot"],
  ])("registryOf %s", (ref, host, name, tag) => {
    expect(registryOf(ref)).toEqual({ host, name, tag });
  });
});

describe("planBaseImagePins against a local registry", () => {
  it.each([["LF", "\n", ""], ["CRLF", "\r\n", ""], ["BOM", "\n", "\uFEFF"]])("%s: inserts the digests and changes no other byte", async (_n, eol, bom) => {
    const dir = makeRepo("example", { files: { Dockerfile: bom + dockerfile(reg.host, eol) } });
    const r = await planBaseImagePins(dir, "Dockerfile");
    expect(r.change?.after).toBe(bom + pinned(reg.host, eol));
    expect(r.change?.notes).toEqual([`line 3: ${reg.host}/library/golang:1.26-alpine@${sha256(INDEX)}`, `line 9: ${reg.host}/library/alpine:3.22@${sha256(ALPINE)}`]);
    // Through the token challenge, as Docker Hub wants it.
    expect(reg.asked).toContain("GET /token?service=test-registry&scope=repository%3Alibrary%2Fgolang%3Apull");
    expect(r.notes.join("\n")).toMatch(/:10: FROM .*nopin not pinned: no tag/);
  });

  it("a registry whose digest header disagrees with the manifest it sent: refused", async () => {
    const dir = makeRepo("example", { files: { Dockerfile: `FROM ${reg.host}/liar/image:1\n` } });
    const r = await planBaseImagePins(dir, "Dockerfile");
    expect(r.change).toBeUndefined();
    expect(r.notes.join("\n")).toMatch(/is not the digest it claims/);
  });

  it("offline (nothing listening): nothing changes, the plan says which line and why", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const dir = makeRepo("example", { files: { Dockerfile: `FROM 127.0.0.1:${port}/library/golang:1.26\n` } });
    const r = await planBaseImagePins(dir, "Dockerfile", { timeoutMs: 2000 });
    expect(r.change).toBeUndefined();
    expect(r.notes.join("\n")).toMatch(new RegExp(`FROM 127\\.0\\.0\\.1:${port}/library/golang:1\\.26 not pinned: .*did not answer`));
  });

  it("a Dockerfile that is not UTF-8 is left alone (its bytes would not survive the edit)", async () => {
    const dir = makeRepo("example");
    writeFileSync(join(dir, "Dockerfile"), Buffer.concat([Buffer.from("# caf"), Buffer.from([0xe9]), Buffer.from(`\nFROM ${reg.host}/library/alpine:3.22\n`)]));
    const r = await planBaseImagePins(dir, "Dockerfile");
    expect(r.change).toBeUndefined();
    expect(r.notes[0]).toMatch(/not UTF-8/);
  });
});

describe("--pin-base-images in a set-up", () => {
  it("pins the Dockerfile, a second run has nothing to do, and check stays green without asking any registry", async () => {
    const text = `FROM ${reg.host}/library/golang:1.26-alpine AS build\nCOPY . .\nFROM ${reg.host}/library/alpine:3.22\n`;
    const dir = makeRepo("example", { files: { Dockerfile: text } });
    const first = await runInit(initOptions(dir, { flags: { pinBaseImages: true } }), quietDeps());
    expect(first.exitCode).toBe(0);
    expect(first.report.written).toContain("Dockerfile");
    expect(readFileSync(join(dir, "Dockerfile"), "utf8")).toBe(`FROM ${reg.host}/library/golang:1.26-alpine@${sha256(INDEX)} AS build\nCOPY . .\nFROM ${reg.host}/library/alpine:3.22@${sha256(ALPINE)}\n`);
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "set up");
    const again = await runInit(initOptions(dir), scriptedDeps([]).deps);
    expect(again.report.plan.changes.filter((c) => c.action !== "unchanged").map((c) => c.path)).toEqual([]);
    const asked = reg.asked.length;
    const { exitCode } = await runCommand("check", { dir, json: true, offline: true }, quietDeps());
    expect(exitCode).toBe(0);
    expect(reg.asked.length).toBe(asked);
  });
});

import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectedDefaults } from "../../src/answers/index.js";
import { execProgram, type Deps } from "../../src/deps.js";
import { detect } from "../../src/detect/index.js";
import { git, makeRepo } from "../support/repo.js";

const deps = { exec: execProgram } as Deps;

describe("detect, on fixture repositories with real git", () => {
  it.each([
    ["https://github.com/Acme/Hello-Service.git", "ghcr.io/acme/hello-service"],
    ["git@github.com:Acme/Hello-Service.git", "ghcr.io/acme/hello-service"],
    ["ssh://git@github.com/acme/svc", "ghcr.io/acme/svc"],
    ["git@gitlab.com:acme/svc.git", undefined],
  ])("origin %s -> default image %s", async (remote, image) => {
    // A CI that names no image (the example's ci.yml tags ghcr.io/acme/hello-service, which would win).
    const d = await detect(makeRepo("example", { remote, files: { ".github/workflows/ci.yml": "on: pull_request\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: go test ./...\n" } }), deps);
    expect(detectedDefaults(d).image).toBe(image);
  });

  it("reads go.mod, the Dockerfile, workflows and the current branch", async () => {
    const dir = makeRepo("example", {
      files: { "deploy/Dockerfile": "FROM golang:1.23 AS b\nFROM scratch\nCOPY --from=b /x /x\n", ".trivyignore": "# none\n", "renovate.json5": "{}\n" },
    });
    git(dir, "checkout", "-q", "-b", "trunk");
    const d = await detect(dir, deps);
    expect(d.goMod).toEqual({ modulePath: "github.com/acme/hello-service", goVersion: "1.24", toolchain: undefined });
    expect(d.dockerfiles.map((f) => f.path)).toEqual(["Dockerfile", "deploy/Dockerfile"]);
    expect(d.dockerfiles[0]).toMatchObject({ finalBaseImage: "alpine:3.22", builderGoVersion: "1.24.5" });
    expect(d.workflows.map((w) => w.path)).toEqual([".github/workflows/ci.yml"]);
    expect(d.defaultBranch).toBe("trunk");
    expect(d.trivyignore).toBe(".trivyignore");
    expect(d.renovateConfigs).toEqual(["renovate.json5"]);
  });

  it("prefers origin/HEAD for the default branch", async () => {
    const dir = makeRepo("example");
    git(dir, "update-ref", "refs/remotes/origin/develop", "HEAD");
    git(dir, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/develop");
    expect((await detect(dir, deps)).defaultBranch).toBe("develop");
  });

  it("suggests Dependabot only when it is the updater already in use", async () => {
    const dir = makeRepo("example", { files: { ".github/dependabot.yml": "version: 2\nupdates: []\n" } });
    expect(detectedDefaults(await detect(dir, deps)).updater).toBe("dependabot");
    writeFileSync(join(dir, "renovate.json"), "{}\n");
    expect(detectedDefaults(await detect(dir, deps)).updater).toBe("renovate");
  });

  it("no go.mod, no Dockerfile: absent, not an error", async () => {
    const dir = makeRepo("example");
    rmSync(join(dir, "go.mod"));
    rmSync(join(dir, "Dockerfile"));
    const d = await detect(dir, deps);
    expect(d.goMod).toBeUndefined();
    expect(d.dockerfiles).toEqual([]);
  });
});

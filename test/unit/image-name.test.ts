import { describe, expect, it } from "vitest";
import { goreleaserImages, publishedImage } from "../../src/detect/image-name.js";
import { runCli } from "../support/cli.js";
import { git, makeRepo } from "../support/repo.js";
import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The default of --image: the name CI publishes, over the origin remote's ghcr.io guess. */
const wf = (path: string, steps: string, on = "push") => ({ path: `.github/workflows/${path}`, text: `on: ${on}\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n${steps}` });

// The shape of benbjohnson/litestream: the PR workflow loads local tags, the release publishes through
// docker/metadata-action to Docker Hub.
const prBuild = wf("commit.yml", "      - uses: docker/build-push-action@v6\n        with:\n          load: true\n          tags: litestream:default\n", "pull_request");
const release = wf(
  "release.docker.yml",
  "      - id: meta\n        uses: docker/metadata-action@v5\n        with:\n          images: litestream/litestream\n          tags: |\n            type=sha\n      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: ${{ steps.meta.outputs.tags }}\n",
);

describe("the image name CI publishes", () => {
  it("metadata-action's images over a local tag", () => {
    expect(publishedImage([prBuild, release])).toEqual({ name: "litestream/litestream", from: ".github/workflows/release.docker.yml (docker/metadata-action images)" });
  });

  it.each([
    ["metadata-action, several lines and the name= form", "      - uses: docker/metadata-action@v5\n        with:\n          images: |\n            name=ghcr.io/acme/svc,enable=true\n            acme/svc\n", "ghcr.io/acme/svc"],
    ["a pushing build-push-action's literal tags", "      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: quay.io/acme/svc:latest,quay.io/acme/svc:1.0\n", "quay.io/acme/svc"],
    ["docker push", "      - run: |\n          docker build -t acme/svc:$VERSION .\n          docker push registry.example.com:5000/acme/svc:$VERSION\n", "registry.example.com:5000/acme/svc"],
    ["docker build -t, the tag an expression", "      - run: docker build -t ghcr.io/acme/svc:${{ github.sha }} .\n", "ghcr.io/acme/svc"],
    ["Docker Hub's long form is its short one", "      - run: docker push docker.io/acme/svc:1\n", "acme/svc"],
    ["a name that is an expression is no evidence", "      - uses: docker/metadata-action@v5\n        with:\n          images: ${{ env.IMAGE }}\n", undefined],
    ["a shell variable is no evidence", "      - run: docker push $IMAGE:1\n", undefined],
    ["a local tag without a namespace is no evidence", "      - run: docker build -t svc:ci .\n", undefined],
    ["a build-push-action that does not push is no evidence", "      - uses: docker/build-push-action@v6\n        with:\n          tags: acme/svc:ci\n", undefined],
    ["upper case is not an image name", "      - run: docker push Acme/Svc:1\n", undefined],
  ])("%s", (_name, steps, name) => {
    expect(publishedImage([wf("release.yml", steps)])?.name).toBe(name);
  });

  // The shape of miniflux/v2: metadata-action images built from github.repository_owner; and the common
  // `env: IMAGE_NAME: ${{ github.repository }}` at the workflow's top.
  const remote = { owner: "Acme", repo: "svc" };
  it.each([
    ["github.repository_owner", "      - uses: docker/metadata-action@v5\n        with:\n          images: |\n            docker.io/${{ github.repository_owner }}/miniflux\n            ghcr.io/${{ github.repository_owner }}/miniflux\n", "acme/miniflux"],
    ["github.repository", "      - run: docker push ghcr.io/${{ github.repository }}:1\n", "ghcr.io/acme/svc"],
    ["github.event.repository.name", "      - run: docker push acme/${{ github.event.repository.name }}:1\n", "acme/svc"],
    ["a step env the name reads", "      - env:\n          NAME: quay.io/${{ github.repository }}\n        uses: docker/metadata-action@v5\n        with:\n          images: ${{ env.NAME }}\n", "quay.io/acme/svc"],
    ["an env that is itself another expression stays one", "      - env:\n          NAME: ${{ vars.IMAGE }}\n        uses: docker/metadata-action@v5\n        with:\n          images: ${{ env.NAME }}\n", undefined],
    ["another context stays an expression", "      - run: docker push ghcr.io/${{ github.actor }}/svc:1\n", undefined],
  ])("resolved from the origin: %s", (_name, steps, name) => {
    expect(publishedImage([wf("release.yml", steps)], remote)?.name).toBe(name);
    // Without an origin nothing resolves.
    if (!steps.includes("vars.") && !steps.includes("actor")) expect(publishedImage([wf("release.yml", steps)])?.name).toBeUndefined();
  });
  it.each([
    ["a pushed image output (navidrome's push by digest)", "      - uses: docker/build-push-action@v6\n        with:\n          outputs: |\n            type=image,name=${{ steps.docker.outputs.hub_repository }},push-by-digest=true,push=${{ steps.x.outputs.on }}\n            type=image,name=ghcr.io/${{ github.repository }},push-by-digest=true,name-canonical=true,push=true\n", "ghcr.io/acme/svc"],
    ["a registry output", "      - uses: docker/build-push-action@v6\n        with:\n          outputs: type=registry,name=quay.io/acme/svc:1\n", "quay.io/acme/svc"],
    ["an image output that is not pushed is no evidence", "      - uses: docker/build-push-action@v6\n        with:\n          outputs: type=image,name=acme/svc:ci\n", undefined],
    ["a local output is no evidence", "      - uses: docker/build-push-action@v6\n        with:\n          outputs: type=local,dest=./out\n", undefined],
  ])("%s", (_name, steps, name) => {
    expect(publishedImage([wf("release.yml", steps)], remote)?.name).toBe(name);
  });
  it("the workflow's and the job's env", () => {
    const text = "env:\n  REGISTRY: ghcr.io\n  IMAGE_NAME: ${{ github.repository }}\non: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    env:\n      TAG: x\n    steps:\n      - uses: docker/metadata-action@v5\n        with:\n          images: ${{ env.REGISTRY }}/${{ env.IMAGE_NAME }}\n";
    for (const t of [text, text.replace(/\n/g, "\r\n"), `\uFEFF${text}`]) expect(publishedImage([{ path: ".github/workflows/docker.yml", text: t }], remote)?.name).toBe("ghcr.io/acme/svc");
  });

  it("the strongest evidence wins, whatever the order of the files", () => {
    const push = wf("a.yml", "      - run: docker push acme/other:1\n");
    expect(publishedImage([push, release])?.name).toBe("litestream/litestream");
  });

  it.each([
    ["CRLF", (t: string) => t.replace(/\n/g, "\r\n"), "litestream/litestream"],
    ["a BOM", (t: string) => `\uFEFF${t}`, "litestream/litestream"],
  ])("reads a %s workflow", (_name, enc, name) => {
    expect(publishedImage([{ ...release, text: enc(release.text) }])?.name).toBe(name);
  });

  it("a workflow that is not UTF-8 is not read (as every other stage leaves it out)", () => {
    expect(publishedImage([{ ...release, notUtf8Line: 1 }])).toBeUndefined();
  });

  it("a set-up takes it as the default and says so; without evidence it says the name is a guess", () => {
    const dir = makeRepo("example");
    writeFileSync(join(dir, release.path), release.text);
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "release");
    const r = runCli(["--yes", "--dry-run", dir], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("note: the image is named litestream/litestream, as .github/workflows/release.docker.yml (docker/metadata-action images) names it");
    expect(r.stdout).toContain("IMAGE_REF: 'litestream/litestream:security-scan'");

    const bare = makeRepo("example");
    writeFileSync(join(bare, ".github/workflows/ci.yml"), "on: pull_request\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: go test ./...\n");
    git(bare, "commit", "-qam", "no image build");
    const guess = runCli(["--yes", "--dry-run", bare], { timeoutMs: 120_000 });
    expect(guess.stdout).toContain("note: the image name ghcr.io/acme/hello-service is a guess from the origin remote (no workflow or GoReleaser config builds or publishes the image by a name relay-security can read)");
  }, 300_000);
});

// The shape of traefik/whoami: the PR workflow runs `make image`, and the release is GoReleaser's, whose
// `dockers:` push traefik/whoami and ghcr.io/traefik/whoami under templated tags.
const goreleaser = {
  path: ".goreleaser.yml",
  text: [
    "project_name: whoami",
    "builds:",
    "  - binary: whoami",
    "dockers:",
    "  - use: buildx",
    "    dockerfile: buildx.Dockerfile",
    "    image_templates:",
    "      - 'traefik/whoami:latest-amd64'",
    "      - 'ghcr.io/traefik/whoami:{{ .Tag }}-amd64'",
    "docker_manifests:",
    "  - name_template: 'traefik/whoami:{{ .Tag }}'",
    "",
  ].join("\n"),
};

describe("the images a GoReleaser config pushes", () => {
  it("dockers' image_templates, the tag a template", () => {
    expect(publishedImage([], undefined, goreleaser)).toEqual({ name: "traefik/whoami", from: ".goreleaser.yml (dockers image_templates)" });
    expect(goreleaserImages(goreleaser).map((f) => f.name)).toEqual(["traefik/whoami", "ghcr.io/traefik/whoami", "traefik/whoami"]);
  });

  it.each([
    ["dockers_v2 images", "dockers_v2:\n  - images:\n      - ghcr.io/acme/svc\n    tags:\n      - '{{ .Tag }}'\n", "ghcr.io/acme/svc"],
    ["ko's repositories", "kos:\n  - repositories: [ghcr.io/acme/svc]\n    tags: ['{{ .Tag }}']\n", "ghcr.io/acme/svc"],
    ["ko's older repository", "kos:\n  - repository: ghcr.io/acme/ko\n", "ghcr.io/acme/ko"],
    ["a manifest", "docker_manifests:\n  - name_template: acme/svc:{{ .Version }}\n", "acme/svc"],
    ["a name from the environment is no evidence", "dockers:\n  - image_templates: ['{{ .Env.REGISTRY }}/svc:{{ .Tag }}']\n", undefined],
    ["an image never pushed is no evidence", "dockers:\n  - skip_push: true\n    image_templates: [acme/svc:latest]\n", undefined],
    ["a local name without a namespace is no evidence", "dockers:\n  - image_templates: ['svc:{{ .Tag }}']\n", undefined],
    ["a config that does not parse is no evidence", "dockers:\n  - image_templates: [acme/svc\n", undefined],
    ["a config that is a list is no evidence", "- acme/svc\n", undefined],
  ])("%s", (_name, text, name) => {
    expect(publishedImage([], undefined, { path: ".goreleaser.yaml", text })?.name).toBe(name);
  });

  it.each([
    ["CRLF", (t: string) => t.replace(/\n/g, "\r\n")],
    ["a BOM", (t: string) => `\uFEFF${t}`],
    // What readRepoTextForAnalysis makes of a Latin-1 comment: U+FFFD, and the names still read.
    ["non-UTF-8 bytes in a comment", (t: string) => `# caf\uFFFD\n${t}`],
  ])("reads a config with %s", (_name, enc) => {
    expect(publishedImage([], undefined, { ...goreleaser, text: enc(goreleaser.text) })?.name).toBe("traefik/whoami");
  });

  it("a workflow's evidence of the same strength comes first, and stronger evidence wins", () => {
    const push = wf("release.yml", "      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: quay.io/acme/svc:1\n");
    expect(publishedImage([push], undefined, goreleaser)?.name).toBe("quay.io/acme/svc");
    expect(publishedImage([release], undefined, goreleaser)?.name).toBe("litestream/litestream");
    const buildOnly = wf("ci.yml", "      - run: docker build -t acme/local:ci .\n");
    expect(publishedImage([buildOnly], undefined, goreleaser)?.name).toBe("traefik/whoami");
  });

  it("a set-up names the image after it, reading .goreleaser.yml as bytes (Latin-1), and a link out of the repository is no evidence", () => {
    const dir = makeRepo("example");
    writeFileSync(join(dir, ".goreleaser.yml"), Buffer.concat([Buffer.from("# caf"), Buffer.from([0xe9]), Buffer.from(`\n${goreleaser.text}`)]));
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "release");
    const r = runCli(["--yes", "--dry-run", dir], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("note: the image is named traefik/whoami, as .goreleaser.yml (dockers image_templates) names it");

    const linked = makeRepo("example");
    writeFileSync(join(linked, ".github/workflows/ci.yml"), "on: pull_request\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: go test ./...\n");
    symlinkSync("/etc/hostname", join(linked, ".goreleaser.yml"));
    git(linked, "add", "-A");
    git(linked, "commit", "-qm", "a link");
    const l = runCli(["--yes", "--dry-run", linked], { timeoutMs: 120_000 });
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout).toContain("is a guess from the origin remote");
  }, 300_000);
});

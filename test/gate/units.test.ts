import { describe, expect, it } from "vitest";
import { bakeTargets } from "../../src/gate/bake.js";
import { splitList } from "../../src/gate/shapes.js";
import { expand, parseMakefile } from "../../src/gate/makefile.js";
import { toExpression, githubEnvWrites, type EnvScope } from "../../src/gate/resolve.js";
import { commands, parseDockerBuild, parseMake } from "../../src/gate/shell.js";
import { reindent } from "../../src/gate/splice.js";
import { verifyEdit } from "../../src/gate/verify.js";
import { findBuilds } from "../../src/gate/find-builds.js";
import { parseWorkflow } from "../../src/gate/locate.js";
import { selects } from "../../src/gate/path-filter.js";

describe("commands", () => {
  it.each([
    ["docker build -t a:b .", [["docker", "build", "-t", "a:b", "."]]],
    ["docker build \\\n  -t a:b \\\n  .", [["docker", "build", "-t", "a:b", "."]]],
    ["docker build \\\r\n  -t a:b .", [["docker", "build", "-t", "a:b", "."]]],
    ['docker build -t "$IMAGE:${TAG}" .', [["docker", "build", "-t", "$IMAGE:${TAG}", "."]]],
    ["docker build -t 'x y' .", [["docker", "build", "-t", "x y", "."]]],
    ["docker build -t ${{ env.IMAGE }}:${{ github.sha }} .", [["docker", "build", "-t", "${{ env.IMAGE }}:${{ github.sha }}", "."]]],
    ["make a && docker build . ; echo done # trailing", [["make", "a"], ["docker", "build", "."], ["echo", "done"]]],
    ["TAG=$(git rev-parse HEAD) docker build -t x:$TAG .", [["docker", "build", "-t", "x:$TAG", "."]]],
    // Issue 20.5: wrappers and keywords before the command word.
    ["sudo docker build -t a:b .", [["docker", "build", "-t", "a:b", "."]]],
    ["sudo -E -u runner docker build -t a:b .", [["docker", "build", "-t", "a:b", "."]]],
    ["time docker build -t a:b .", [["docker", "build", "-t", "a:b", "."]]],
    ["time -p docker build -t a:b .", [["docker", "build", "-t", "a:b", "."]]],
    ["env DOCKER_BUILDKIT=1 X=2 docker build -t a:b .", [["docker", "build", "-t", "a:b", "."]]],
    ["env -u HOME -- docker build .", [["docker", "build", "."]]],
    ["nice -n 10 command docker build .", [["docker", "build", "."]]],
    ["timeout 20m sudo docker build .", [["docker", "build", "."]]],
    ["/usr/bin/sudo docker build .", [["docker", "build", "."]]],
    ["for a in x y; do docker build -t a:$a .; done", [["for", "a", "in", "x", "y"], ["docker", "build", "-t", "a:$a", "."], ["done"]]],
    ["for a in x y\ndo\n  docker build .\ndone", [["for", "a", "in", "x", "y"], ["docker", "build", "."], ["done"]]],
    ["if true; then sudo docker build .; fi", [["true"], ["docker", "build", "."], ["fi"]]],
    ["true && time docker build . || exit 1", [["true"], ["docker", "build", "."], ["exit", "1"]]],
    // Plain runs end at every character that means something: `#` and `$` inside a word stay in it.
    ["docker build -t a#b:$1x${{ x }}y$ . # c", [["docker", "build", "-t", "a#b:$1x${{ x }}y$", "."]]],
    ["docker\tbuild\t-t größe:ü .", [["docker", "build", "-t", "größe:ü", "."]]],
    ["docker build -t a:b .\r\necho done\r\n", [["docker", "build", "-t", "a:b", "."], ["echo", "done"]]],
    ["\uFEFFdocker build -t a'b'\"c\"\\d .", [["docker", "build", "-t", "abcd", "."]]],
  ])("%j", (script, expected) => {
    expect(commands(script).map((c) => c.words)).toEqual(expected);
  });

  it("splits a script once: the same script gives the same frozen commands", () => {
    const script = "TAG=ci\ndocker build -t a:$TAG .";
    const first = commands(script);
    expect(commands(`${script}`)).toBe(first);
    expect(Object.isFrozen(first) && first.every((c) => Object.isFrozen(c) && Object.isFrozen(c.words))).toBe(true);
    expect(() => (first[0]?.words as string[]).push("x")).toThrow(TypeError);
    expect(commands(`${script} `)).not.toBe(first);
  });

  it("remembers plain assignments for later commands", () => {
    const [build] = commands("export IMAGE=acme/svc\nTAG=ci\ndocker build -t $IMAGE:$TAG .");
    expect(build?.vars).toEqual(new Map([["IMAGE", "acme/svc"], ["TAG", "ci"]]));
  });
});

describe("parseDockerBuild", () => {
  const parse = (s: string) => parseDockerBuild(commands(s)[0]?.words ?? []);
  it.each([
    ["docker build -t a .", { buildx: false, tags: ["a"], context: "." }],
    ["docker --context ci build --tag=a --file=x/Dockerfile x", { buildx: false, tags: ["a"], file: "x/Dockerfile", context: "x" }],
    ["docker image build -t a -t b .", { buildx: false, tags: ["a", "b"], context: "." }],
    ["docker buildx build --load --platform linux/amd64 -t a .", { buildx: true, load: true, platforms: ["linux/amd64"] }],
    ["docker buildx --builder ci build --push --platform linux/amd64,linux/arm64 .", { buildx: true, push: true, builder: "ci", platforms: ["linux/amd64", "linux/arm64"] }],
    ["docker buildx build -o type=docker --pull --no-cache .", { buildx: true, outputs: ["type=docker"], context: "." }],
  ])("%s", (script, expected) => {
    expect(parse(script)).toMatchObject(expected);
  });
  it.each(["docker run a", "docker buildx bake", "docker compose build", "echo docker build"])("%s is not a build", (s) => {
    expect(parse(s)).toBeUndefined();
  });
});

describe("parseMake", () => {
  it("reads -C, -f, overrides and targets", () => {
    expect(parseMake(["make", "-C", "deploy", "-f", "Build.mk", "IMAGE=x", "-j", "4", "docker-build"])).toEqual({
      dir: "deploy",
      file: "Build.mk",
      targets: ["docker-build"],
      overrides: new Map([["IMAGE", "x"]]),
    });
  });
});

describe("toExpression", () => {
  const scope: EnvScope = { script: new Map([["TAG", "pr-${{ github.event.number }}"], ["SHA", "$(git rev-parse HEAD)"]]), step: { REG: "ghcr.io" }, env: new Set(["IMAGE"]) };
  it.each([
    ["acme/svc:ci", "acme/svc:ci"],
    ["$IMAGE:$TAG", "${{ env.IMAGE }}:pr-${{ github.event.number }}"],
    ["${REG}/acme/svc:${GITHUB_SHA}", "ghcr.io/acme/svc:${{ github.sha }}"],
    ["${{ env.IMAGE }}:${{ github.sha }}", "${{ env.IMAGE }}:${{ github.sha }}"],
    ["acme/svc:$SHA", undefined],
    ["acme/svc:$UNKNOWN", undefined],
    ["acme/svc:${TAG:-dev}", undefined],
    ["acme/svc:`date`", undefined],
  ])("%s", (word, expected) => {
    expect(toExpression(word, scope)).toBe(expected);
  });

  it("finds $GITHUB_ENV writes", () => {
    expect(githubEnvWrites('echo "IMAGE=ghcr.io/x" >> "$GITHUB_ENV"\necho TAG=1 >>$GITHUB_ENV\necho NOPE=1')).toEqual(["IMAGE", "TAG"]);
  });
});

describe("Makefile expansion", () => {
  const mk = parseMakefile(
    [
      "REGISTRY ?= ghcr.io/acme",
      "NAME := svc",
      "IMAGE = $(REGISTRY)/$(NAME)",
      "IMAGE += ignored-by-tag",
      "VERSION := $(shell git describe)",
      "docker-build: ## build it",
      "\tdocker build -t $(IMAGE):$(TAG) .",
    ].join("\n"),
  );
  const none = () => false;
  it("resolves plain variables, leaves unknown ones to the environment", () => {
    expect(expand("$(REGISTRY)/$(NAME):${TAG}", mk, new Map(), none, "t")).toBe("ghcr.io/acme/svc:${TAG}");
  });
  it("lets the command line win, and the environment win over ?= only", () => {
    expect(expand("$(NAME)", mk, new Map([["NAME", "other"]]), none, "t")).toBe("other");
    expect(expand("$(REGISTRY)", mk, new Map(), (n) => n === "REGISTRY", "t")).toBe("${REGISTRY}");
  });
  it("marks functions as unresolvable", () => {
    expect(expand("$(VERSION)", mk, new Map(), none, "t")).toContain("$(unresolvable)");
  });
  it("collects recipes and prerequisites", () => {
    expect(mk.rules.get("docker-build")).toEqual({ prereqs: [], recipe: ["docker build -t $(IMAGE):$(TAG) ."] });
  });
});

describe("Makefile comments, as make strips them", () => {
  // gotify/server's shape: `DOCKER_TEST_LEVEL ?= 0 # Optionally ...`, used in a --build-arg. Left in,
  // the comment reached the recipe's shell and cut off the rest of the docker build (its -f and context).
  const ROWS: [string, string, string][] = [
    ["after ?=", "LEVEL ?= 0 # Optionally run a test", "0"],
    ["after +=", "LEVEL = a\nLEVEL += b # more", "a b"],
    ["after :=, no space", "LEVEL := 1#x", "1"],
    ["escaped", "LEVEL := a\\#b # c", "a#b"],
    ["inside $(shell ...) it is literal", "LEVEL := $(shell grep '#' f | tr (a) b)", "$(shell grep '#' f | tr (a) b)"],
    ["inside ${...}", "LEVEL = ${X#y} # c", "${X#y}"],
  ];
  for (const [name, text, want] of ROWS) {
    for (const [variant, t] of [["LF", text], ["CRLF", text.replace(/\n/g, "\r\n")], ["BOM", `\uFEFF${text}`]] as const) {
      it(`${name} (${variant})`, () => {
        const mk = parseMakefile(`${t}\n`);
        expect(mk.vars.get("LEVEL")?.value).toBe(want);
      });
    }
  }
  it("a recipe line keeps its # (the shell reads it)", () => {
    expect(parseMakefile("t:\n\techo '#' # c\n").rules.get("t")?.recipe).toEqual(["echo '#' # c"]);
  });
});

describe("splitList", () => {
  it("splits lines and commas, not commas inside expressions", () => {
    expect(splitList("a:1,b:2\n${{ format('{0},{1}', x, y) }}\n\n")).toEqual(["a:1", "b:2", "${{ format('{0},{1}', x, y) }}"]);
  });
});

describe("reindent", () => {
  const text = "# c\n- name: x\n  with:\n    a: 1\n  steps:\n    - run: y\n";
  it("keeps two-space text as it is at column 0", () => {
    expect(reindent(text, 0, { mapIndent: 2, seqIndent: 2, itemOffset: 2 })).toEqual(text.trimEnd().split("\n"));
  });
  it("reads a block key with a trailing comment", () => {
    expect(reindent("k: # why\n  a: 1\n", 2, { mapIndent: 4, seqIndent: 4, itemOffset: 2 })).toEqual(["  k: # why", "      a: 1"]);
  });
  it("follows a 4-space style with wide dashes and unindented lists", () => {
    expect(reindent(text, 4, { mapIndent: 4, seqIndent: 0, itemOffset: 4 })).toEqual([
      "    # c",
      "    -   name: x",
      "        with:",
      "            a: 1",
      "        steps:",
      "        -   run: y",
    ]);
  });
});

describe("verifyEdit", () => {
  const before = "a: 1\n# keep me\nb: [1]\n";
  it("accepts the original plus exactly the change", () => {
    expect(() => verifyEdit({ before, after: before + "c: 2\n", expect: (o) => ({ ...o, c: 2 }) })).not.toThrow();
  });
  it.each([
    ["a dropped comment", "a: 1\nb: [1]\nc: 2\n"],
    ["a changed value", "a: 2\n# keep me\nb: [1]\nc: 2\n"],
    ["a lost final newline", "a: 1\n# keep me\nb: [1]\nc: 2"],
    ["a CR in a LF file", "a: 1\r\n# keep me\nb: [1]\nc: 2\n"],
    ["a result that does not parse", before + "c: [2\n"],
  ])("throws on %s", (_, after) => {
    expect(() => verifyEdit({ before, after, expect: (o) => ({ ...o, c: 2 }) })).toThrow(/internal: the gate's edit failed its own check/);
  });
});

describe("bakeTargets", () => {
  const hcl = [
    'variable "GO_IMAGE" {',
    '  default = "golang:1.25.4"',
    "}",
    "// shared settings",
    'target "_common" {',
    '  args = { BUILD_IMAGE = "${GO_IMAGE}", TAGS = "netgo" }',
    "}",
    'group "default" {',
    '  targets = ["server"]',
    "}",
    'target "server" {',
    '  inherits = ["_common"]',
    '  context = "services/relay"',
    '  dockerfile = "build/Dockerfile"',
    '  target = "runtime"',
    '  platforms = ["linux/arm64", "linux/amd64"]',
    '  args = {',
    '    VERSION = "${VERSION}"',
    "  }",
    "}",
    "",
  ].join("\n");
  it("reads a target through its group, inherits and variables; dockerfile relative to context", () => {
    expect(bakeTargets("docker-bake.hcl", hcl, [], {})).toEqual([
      { context: "services/relay", dockerfile: "services/relay/build/Dockerfile", target: "runtime", platforms: ["linux/arm64", "linux/amd64"], args: { BUILD_IMAGE: "golang:1.25.4", TAGS: "netgo", VERSION: "${VERSION}" } },
    ]);
  });
  it("CRLF and a BOM read the same", () => {
    expect(bakeTargets("docker-bake.hcl", `\uFEFF${hcl.replace(/\n/g, "\r\n")}`, ["server"], {})).toEqual(bakeTargets("docker-bake.hcl", hcl, [], {}));
  });
  it("reads docker-bake.json", () => {
    const json = JSON.stringify({ target: { app: { dockerfile: "Dockerfile.app", args: { A: "1" } } } });
    expect(bakeTargets("docker-bake.json", json, ["app"], {})).toEqual([{ context: ".", dockerfile: "Dockerfile.app", args: { A: "1" }, platforms: [] }]);
  });
});

describe("GitHub's paths filter patterns (the gate's every-PR rule)", () => {
  it.each([
    [["**"], "go.mod", true],
    [["*.go"], "go.mod", false],
    [["**.go", "go.mod"], "go.mod", true],
    [["*"], "go.mod", true],
    [["*"], "cmd/go.mod", false],
    [["**/go.mod"], "go.mod", true],
    [["**", "!go.mod"], "go.mod", false],
    [["!go.mod", "**"], "go.mod", true],
    [["go.[ms]od"], "go.mod", true],
    [["packaging/docker/**"], "go.mod", false],
    [["[broken"], "go.mod", false],
  ])("%j selects %s: %s", (patterns, file, want) => {
    expect(selects(patterns as string[], file as string)).toBe(want);
  });
});

describe("findBuilds remembers", () => {
  const ci = "on: pull_request\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make image\n";
  const makefile = (tag: string) => `image:\n\tdocker build -t acme/svc:${tag} .\n`;

  it("answers a second search of the same workflow while the files it read are unchanged", () => {
    const files: Record<string, string> = { Makefile: makefile("ci") };
    const readFile = (rel: string) => files[rel];
    const first = findBuilds(parseWorkflow(".github/workflows/ci.yml", ci), { dockerfile: "Dockerfile", readFile });
    expect(first.builds.map((b) => b.gate.ok && b.gate.imageRef)).toEqual(["acme/svc:ci"]);
    // Another reader of the same text, another caller's readFile: the same answer, frozen.
    const again = findBuilds(parseWorkflow(".github/workflows/ci.yml", ci), { dockerfile: "Dockerfile", readFile: (rel) => files[rel] });
    expect(again).toBe(first);
    expect(Object.isFrozen(again.builds[0]?.spec)).toBe(true);
    // Another path or Dockerfile is another search.
    expect(findBuilds(parseWorkflow(".github/workflows/other.yml", ci), { dockerfile: "Dockerfile", readFile })).not.toBe(first);
    // The Makefile changed: searched again, and the new answer is given.
    files["Makefile"] = makefile("next");
    const changed = findBuilds(parseWorkflow(".github/workflows/ci.yml", ci), { dockerfile: "Dockerfile", readFile });
    expect(changed.builds.map((b) => b.gate.ok && b.gate.imageRef)).toEqual(["acme/svc:next"]);
  });
});

import { describe, expect, it } from "vitest";
import { applyPins, verifyPins } from "../../src/pin/edit.js";
import { decode } from "../../src/pin/files.js";
import { findSites, parseTarget } from "../../src/pin/sites.js";
import { mostPrecise, parseLsRemote } from "../../src/pin/tags.js";
import { loadPins } from "../../src/pins.js";
import { lintPins } from "../../src/validate/pins.js";

const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);

describe("pin units", () => {
  it("reads ls-remote: annotated tags peeled to their commit, branch tips apart", () => {
    const refs = parseLsRemote([`${A}\trefs/heads/main`, `${B}\trefs/tags/v1.0.0`, `${C}\trefs/tags/v1.0.0^{}`, `${C}\trefs/tags/v1`, `${A}\trefs/pull/1/head`].join("\n"));
    expect([...refs.tags]).toEqual([["v1.0.0", C], ["v1", C]]);
    expect([...refs.heads]).toEqual([["main", A]]);
  });

  it.each([
    [["v4", "v4.2", "v4.2.1"], "v", "v4.2.1"],
    [["v4", "4.2.1", "v4.2.1"], "v", "v4.2.1"],
    [["v4", "4.2.1", "v4.2.1"], "", "4.2.1"],
    [["v4", "v4.2.1-rc.1"], "v", "v4"],
    [["latest", "release"], "v", undefined],
  ] as const)("the most precise of %j (%s style) is %s", (tags, prefix, want) => {
    expect(mostPrecise([...tags], prefix)).toBe(want);
  });

  it.each([
    ["docker://alpine:3.20", { kind: "docker", image: "alpine", tag: "3.20" }],
    ["docker://ghcr.io/acme/tool", { kind: "docker", image: "ghcr.io/acme/tool" }],
    ["docker://localhost:5000/tool:1@sha256:" + "0".repeat(64), { kind: "docker", image: "localhost:5000/tool", tag: "1", digest: "sha256:" + "0".repeat(64) }],
    ["acme/mono/setup/sub@v2", { kind: "action", action: "acme/mono/setup/sub", repo: "acme/mono", ref: "v2" }],
    ["acme/x", undefined],
  ])("parses %s", (value, want) => {
    expect(parseTarget(value)).toEqual(want);
  });

  it("finds the ref and the comment at their offsets, and says which it cannot edit", () => {
    const text = `jobs:\n  a:\n    steps:\n      - uses: "acme/x@v1"   #  v1 keep\n      - { uses: acme/y@v1 }\n      - uses: "acme/z\\x40v1"\n      - uses: ./local\n`;
    const { sites } = findSites(decode("w.yml", Buffer.from(text)));
    expect(sites.map((s) => [s.value, s.unsafe ?? null])).toEqual([
      ["acme/x@v1", null],
      ["acme/y@v1", expect.stringMatching(/flow mapping/)],
      ["acme/z@v1", "the value is written with escapes"],
    ]);
    const x = sites[0]!;
    expect(text.slice(...x.refRange)).toBe("v1");
    expect(x.version).toBe("v1");
    expect(applyPins(text, [{ site: x, ref: A, version: "v1.2.3" }])).toContain(`- uses: "acme/x@${A}"   #  v1.2.3 keep\n`);
  });

  it("the check after the splice fails when anything but the uses: value moved", () => {
    const text = "jobs:\n  a:\n    steps:\n      - uses: acme/x@v1\n        with: { a: 1 }\n";
    const site = findSites(decode("w.yml", Buffer.from(text))).sites[0]!;
    const edit = { site, ref: A, version: "v1.0.0" };
    const good = applyPins(text, [edit]);
    expect(() => verifyPins(text, good, [edit])).not.toThrow();
    expect(() => verifyPins(text, good.replace("a: 1", "a: 2"), [edit])).toThrow(/changed beyond the uses: values/);
    expect(() => verifyPins(text, good.replace("  a:\n", "  a: \n"), [edit])).toThrow(/line 2 changed/);
    expect(() => verifyPins(text, good.replace("uses: acme", "uses:  acme"), [edit])).toThrow(/changed before the ref/);
  });

  it("the pin lint's fix for a tag stays in the tag's major: our v7.0.1 line for @v7, `pin` for @v4", () => {
    const hint = (uses: string) => lintPins([{ path: "w.yml", text: `jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: ${uses}\n` }], loadPins()).find((f) => f.rule === "pins/sha")?.hint;
    expect(hint("actions/checkout@v7")).toBe(`uses: actions/checkout@${loadPins().actions["actions/checkout"]?.sha} # v7.0.1`);
    expect(hint("actions/checkout@v4")).toBe("npx create-relay-security pin");
    expect(hint("acme/unknown@v1")).toBe("npx create-relay-security pin");
  });
});

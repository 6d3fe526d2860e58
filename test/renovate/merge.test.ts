import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import JSON5 from "json5";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { renderRenovateConfig } from "../../src/renovate/config.js";
import { findRenovateConfigs, mergeRenovateConfig, pickRenovateConfig, RenovateConfigConflict } from "../../src/renovate/merge.js";
import { FIXTURES, listFiles, onlyInsertions, read } from "./support.js";

const ours = renderRenovateConfig({ label: "security", scanner: "trivy" });

/** Fixture cases: input/ is the user's repo, expected/ the config after the merge. */
const CASES = ["json-extends-rules", "json5-comments", "github-json5", "package-json", "renovaterc", "already-merged", "upgrade"];

describe("mergeRenovateConfig on fixture repos", () => {
  it.each(CASES)("%s: finds the one config and merges into it as expected/ shows", (name) => {
    const input = join(FIXTURES, name, "input");
    const [path, ...others] = findRenovateConfigs(listFiles(input), read(input));
    expect(others).toEqual([]);
    const before = read(input)(path as string);
    const merged = mergeRenovateConfig(path as string, before, ours);
    expect(merged.text).toBe(readFileSync(join(FIXTURES, name, "expected", path as string), "utf8"));
    // Idempotent: merging into the result changes nothing and reports nothing added.
    const again = mergeRenovateConfig(path as string, merged.text, ours);
    expect(again.text).toBe(merged.text);
    expect(again.added).toEqual([]);
    // Only an upgrade rewrites (our own old rules); everything else is insertions only.
    if (name !== "upgrade") expect(onlyInsertions(before, merged.text)).toBe(true);
  });

  it("keeps the user's comments, key order and quoting in json5", () => {
    const input = join(FIXTURES, "json5-comments", "input");
    const before = read(input)("renovate.json5");
    const { text } = mergeRenovateConfig("renovate.json5", before, ours);
    for (const line of before.split("\n")) expect(text).toContain(line.replace(/,?$/, ""));
    expect(text).toContain("      matchManagers: ['github-actions'],");
    expect(Object.keys(JSON5.parse(text) as object)).toEqual(["$schema", "extends", "schedule", "prConcurrentLimit", "packageRules", "customManagers"]);
  });

  it("reports what it added and the user's values it kept", () => {
    const input = join(FIXTURES, "json-extends-rules", "input");
    const r = mergeRenovateConfig("renovate.json", read(input)("renovate.json"), ours);
    expect(r.added).toContain('extends: added "helpers:pinGitHubActionDigestsToSemver"');
    expect(r.added).toContain('packageRules: added "relay-security: security scanners"');
    expect(r.added).toContain('customManagers: added "relay-security: version markers in workflows"');
    expect(r.kept).toEqual([]);
  });

  it("does not add presets that one of the user's presets already includes", () => {
    const input = join(FIXTURES, "github-json5", "input");
    const r = mergeRenovateConfig(".github/renovate.json5", read(input)(".github/renovate.json5"), ours);
    expect(r.added.filter((a) => a.startsWith("extends"))).toEqual(['extends: added "helpers:pinGitHubActionDigestsToSemver"']);
  });

  it("upgrades our old rules in place and leaves the user's rules alone", () => {
    const input = join(FIXTURES, "upgrade", "input");
    const r = mergeRenovateConfig("renovate.json5", read(input)("renovate.json5"), ours);
    expect(r.added).toEqual([
      'packageRules: updated "relay-security: GitHub Actions"',
      'packageRules: updated "relay-security: Docker base images"',
      'packageRules: updated "relay-security: security scanners"',
      'packageRules: added "relay-security: relay-security itself"',
      'packageRules: updated "relay-security: Go modules"',
      'customManagers: updated "relay-security: version markers in workflows"',
    ]);
    const rules = (JSON5.parse(r.text) as { packageRules: { groupName?: string }[] }).packageRules;
    expect(rules[0]?.groupName).toBe("acme modules");
    expect(rules).toHaveLength(7);
  });

  it("keeps a rule of ours that the user edited since we wrote it, when told what we wrote", () => {
    const previous = structuredClone(ours);
    const edited = structuredClone(ours);
    (edited.packageRules[0] as unknown as { minimumReleaseAge: string }).minimumReleaseAge = "14 days";
    const text = `${JSON.stringify(edited, null, 2)}\n`;
    const next = structuredClone(ours);
    (next.packageRules[0] as { description: string[] }).description.push("A new sentence in a newer release.");
    const r = mergeRenovateConfig("renovate.json", text, next, { previous });
    expect(r.text).toBe(text);
    expect(r.kept[0]).toMatch(/^packageRules "relay-security: GitHub Actions": you changed it since we wrote it; kept yours/);
    // Unedited since last time: replaced.
    const r2 = mergeRenovateConfig("renovate.json", `${JSON.stringify(previous, null, 2)}\n`, next, { previous });
    expect(r2.added).toEqual(['packageRules: updated "relay-security: GitHub Actions"']);
  });

  it("wraps a single-string extends into a list", () => {
    const r = mergeRenovateConfig("renovate.json", `{ "extends": "config:base" }\n`, ours);
    expect(r.text.startsWith(`{ "extends": ["config:base", "helpers:pinGitHubActionDigestsToSemver", "docker:pinDigests"],\n`)).toBe(true);
  });

  it("merges into an empty config, CRLF line endings kept", () => {
    const r = mergeRenovateConfig(".renovaterc.json", "{}\r\n", ours);
    expect(r.text).not.toMatch(/[^\r]\n/);
    const expected = Object.fromEntries(Object.entries(ours).filter(([k]) => k !== "$schema" && k !== "description"));
    expect(JSON.parse(r.text)).toEqual({ ...expected, extends: ours.extends.filter((p) => p !== "config:recommended") });
  });

  it.each([
    ["renovate.json", `{ "extends": [ }`, /renovate.json does not parse/],
    ["renovate.json", `["config:recommended"]`, /renovate.json is not a JSON object/],
    ["package.json", `{ "name": "x" }`, /package.json "renovate" is not a JSON object/],
    ["renovate.json", `{ "extends": [1] }`, /"extends" must be a list of preset names/],
    ["renovate.json", `{ "packageRules": {} }`, /"packageRules" must be a list/],
  ])("refuses %s %j with a UserError", (path, text, message) => {
    expect(() => mergeRenovateConfig(path, text, ours)).toThrow(UserError);
    expect(() => mergeRenovateConfig(path, text, ours)).toThrow(message);
  });
});

describe("findRenovateConfigs", () => {
  it("finds every Renovate file name, in Renovate's order, package.json only with a renovate key", () => {
    const files = [".renovaterc.json5", "renovate.json", ".gitlab/renovate.json5", "package.json", "go.mod", "src/renovate.json"];
    expect(findRenovateConfigs(files, () => `{"name": "x"}`)).toEqual(["renovate.json", ".gitlab/renovate.json5", ".renovaterc.json5"]);
    expect(findRenovateConfigs(["package.json"], () => `{"renovate": {}}`)).toEqual(["package.json"]);
    expect(findRenovateConfigs(["package.json"])).toEqual([]);
  });

  it("two configs: a typed error that names both", () => {
    const input = join(FIXTURES, "two-configs", "input");
    const files = listFiles(input);
    expect(findRenovateConfigs(files, read(input))).toEqual(["renovate.json", ".github/renovate.json5"]);
    let error: unknown;
    try {
      pickRenovateConfig(files, read(input));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RenovateConfigConflict);
    expect(error).toBeInstanceOf(UserError);
    expect((error as RenovateConfigConflict).paths).toEqual(["renovate.json", ".github/renovate.json5"]);
    expect((error as Error).message).toMatch(/renovate\.json, \.github\/renovate\.json5/);
  });
});

describe("merge properties", () => {
  const key = fc.constantFrom("timezone", "schedule", "automerge", "prHourlyLimit", "ignorePaths", "labels", "rangeStrategy");
  const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean());
  const rule = fc.dictionary(fc.constantFrom("matchPackageNames", "groupName", "enabled", "description"), fc.oneof(scalar, fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 })), { minKeys: 1 });
  const config = fc.record(
    {
      extends: fc.subarray(["config:recommended", "docker:pinDigests", ":semanticCommits", "group:allNonMajor"]),
      packageRules: fc.array(rule, { maxLength: 3 }),
      customManagers: fc.constant([]),
      other: fc.dictionary(key, fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }))),
    },
    { requiredKeys: ["other"] },
  );
  const format = fc.record({
    json5: fc.boolean(),
    indent: fc.constantFrom(2, 4, "\t"),
    quote: fc.constantFrom('"', "'"),
    comment: fc.boolean(),
    crlf: fc.boolean(),
  });

  it("any config in any layout: the result parses to the user's config plus ours, nothing removed, second run a no-op", () => {
    fc.assert(
      fc.property(config, format, (c, f) => {
        const { other, ...lists } = c;
        const user = { ...other, ...lists };
        let text = f.json5 ? JSON5.stringify(user, { space: f.indent, quote: f.quote }) : JSON.stringify(user, null, f.indent);
        if (f.comment) text = `// the user's comment\n${text.replace(/\n/, "\n// and another, inside\n")}`;
        if (f.crlf) text = text.replace(/\n/g, "\r\n");
        const path = f.json5 ? "renovate.json5" : ".github/renovate.json";
        if (f.comment && !f.json5) return; // a .json with comments is JSONC: covered by the fixtures
        const merged = mergeRenovateConfig(path, text, ours); // throws if the result is not user + ours
        expect(onlyInsertions(text, merged.text)).toBe(true);
        expect(mergeRenovateConfig(path, merged.text, ours).text).toBe(merged.text);
        const parsed = JSON5.parse(merged.text) as Record<string, unknown>;
        for (const [k, v] of Object.entries(other)) expect(parsed[k]).toEqual(v);
      }),
      { numRuns: 200 },
    );
  });
});

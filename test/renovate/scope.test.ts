/**
 * Issue 13, item 8: our Renovate config says no more than it should. No top-level `labels` (it would
 * label every dependency PR); a merge never adds `config:recommended` to the user's `extends`; added
 * text follows the file's own indentation; go.mod updates wait the minimum release age too.
 */
import JSON5 from "json5";
import { describe, expect, it } from "vitest";
import { renderRenovateConfig, renderRenovateJson, ruleName } from "../../src/renovate/config.js";
import { mergeRenovateConfig } from "../../src/renovate/merge.js";

const ours = renderRenovateConfig({ label: "security", scanner: "trivy" });
type Rule = Record<string, unknown>;

describe("our Renovate config", () => {
  it("has no top-level labels; each of our enabled rules adds the label to its own PRs", () => {
    const config = JSON.parse(renderRenovateJson({ label: "security", scanner: "trivy" })) as Record<string, unknown>;
    expect(config).not.toHaveProperty("labels");
    const rules = config["packageRules"] as Rule[];
    for (const rule of rules) {
      if (rule["enabled"] === false) expect(rule).not.toHaveProperty("addLabels");
      else expect(rule["addLabels"]).toEqual(["security"]);
    }
  });

  it("go.mod updates wait 7 days, as the README promises", () => {
    const gomod = ours.packageRules.find((r) => ruleName(r) === "relay-security: Go modules");
    expect(gomod?.["minimumReleaseAge"]).toBe("7 days");
  });
});

describe("merging into a user's config", () => {
  it("never adds config:recommended to their extends", () => {
    const text = `{\n  "extends": [":semanticCommits"]\n}\n`;
    const merged = JSON.parse(mergeRenovateConfig("renovate.json", text, ours).text) as { extends: string[] };
    expect(merged.extends).toEqual([":semanticCommits", "helpers:pinGitHubActionDigestsToSemver", "docker:pinDigests"]);
  });

  it("nor when they have no extends at all", () => {
    const merged = JSON.parse(mergeRenovateConfig("renovate.json", `{\n  "timezone": "UTC"\n}\n`, ours).text) as { extends: string[]; labels?: unknown };
    expect(merged.extends).toEqual(["helpers:pinGitHubActionDigestsToSemver", "docker:pinDigests"]);
    expect(merged.labels).toBeUndefined();
  });

  it("a two-space file with one tab-indented line gets two-space additions", () => {
    const text = `{\n  // our settings\n\t// (pasted with a tab)\n  timezone: 'UTC',\n  packageRules: [\n    { matchManagers: ['npm'], enabled: false },\n  ],\n}\n`;
    const merged = mergeRenovateConfig("renovate.json5", text, ours).text;
    const added = merged.split("\n").filter((l) => !text.split("\n").includes(l));
    expect(added.some((l) => l.startsWith("\t"))).toBe(false);
    expect(added).toContain("      matchManagers: ['github-actions'],");
    expect(JSON5.parse(merged)).toMatchObject({ timezone: "UTC" });
  });

  it("a tab-indented file stays tab-indented", () => {
    const text = `{\n\t"timezone": "UTC",\n\t"packageRules": []\n}\n`;
    const added = mergeRenovateConfig("renovate.json", text, ours).text.split("\n").filter((l) => /^\s+"matchManagers"/.test(l));
    expect(added[0]).toMatch(/^\t\t\t"matchManagers"/);
  });
});

describe("upgrading a config an earlier release merged into (it added a top-level labels)", () => {
  const previous = { ...structuredClone(ours), labels: ["security"] };
  it.each([
    ["in the middle", `{\n  "timezone": "UTC",\n  "labels": ["security"],\n  "schedule": ["weekly"]\n}\n`, `{\n  "timezone": "UTC",\n  "schedule": ["weekly"]\n}\n`],
    ["last, CRLF", `{\r\n  "timezone": "UTC",\r\n  "labels": [\r\n    "security"\r\n  ]\r\n}\r\n`, `{\r\n  "timezone": "UTC"\r\n}\r\n`],
  ])("%s: our old labels are removed, every other byte kept", (_n, text, rest) => {
    const r = mergeRenovateConfig("renovate.json", text, ours, { previous });
    expect(r.added).toContain('labels: removed ["security"], which an earlier relay-security release added');
    expect(JSON.parse(r.text)).not.toHaveProperty("labels");
    // What remains of the user's text is theirs, unchanged, ahead of our additions.
    const withoutOurs = mergeRenovateConfig("renovate.json", rest, ours).text;
    expect(r.text).toBe(withoutOurs);
  });

  it("labels the user changed since are kept", () => {
    const r = mergeRenovateConfig("renovate.json", `{\n  "labels": ["deps"]\n}\n`, ours, { previous });
    expect(JSON.parse(r.text)).toMatchObject({ labels: ["deps"] });
    expect(r.kept).toContain('labels: kept yours (["deps"]); relay-security no longer sets it');
  });
});

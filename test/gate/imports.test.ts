import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * The gate is one direction (docs/architecture.md): locate -> place -> edit -> verify, orchestrated by
 * index.ts. No file imports index.ts, and the imports between its files (types included) have no cycle.
 */
const DIR = new URL("../../src/gate/", import.meta.url).pathname;
const files = readdirSync(DIR).filter((f) => f.endsWith(".ts"));
const graph = new Map(
  files.map((f) => [f, [...readFileSync(DIR + f, "utf8").matchAll(/from "\.\/([\w-]+)\.js"/g)].map((m) => `${m[1]}.ts`)] as const),
);

describe("src/gate imports", () => {
  it("nothing inside the gate imports index.ts", () => {
    expect([...graph].filter(([, deps]) => deps.includes("index.ts")).map(([f]) => f)).toEqual([]);
  });

  it("has no cycle", () => {
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      if (path.includes(f)) return void cycles.push([...path.slice(path.indexOf(f)), f].join(" -> "));
      for (const d of graph.get(f) ?? []) visit(d, [...path, f]);
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });
});

import type { PinsData } from "../pins.js";

/** A tag of an action that must not be used, and why. */
export interface BadRef {
  action: string;
  /** `gone`: a rewritten tag (a SHA pin made before is still fine); `advisory`: the code itself is bad. */
  kind: "gone" | "advisory";
  test: (tag: string) => boolean;
  why: string;
}

/**
 * Advisories against action versions that are not in `data/pins.json` yet (its schema has only the
 * March 2026 compromise). CVE-2026-26189: command injection in trivy-action 0.31.0-0.33.1, fixed in
 * v0.34.0 (PRODUCT.md, "Facts learned the hard way").
 */
const ADVISORIES = [
  { action: "aquasecurity/trivy-action", from: "0.31.0", to: "0.33.1", why: "CVE-2026-26189 (command injection, fixed in v0.34.0)" },
] as const;

/** `v1.2.3` / `1.2` -> [1, 2, 3] / [1, 2, 0]; undefined when it is not a version. */
export function versionParts(tag: string): [number, number, number] | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(tag);
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

export function compareVersions(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function inRange(tag: string, from: string, to: string): boolean {
  const v = versionParts(tag);
  const lo = versionParts(from);
  const hi = versionParts(to);
  if (!v || !lo || !hi) throw new Error(`internal: bad version range ${from} .. ${to}`);
  return compareVersions(v, lo) >= 0 && compareVersions(v, hi) <= 0;
}

/**
 * Turn `knownCompromised.refsThatNoLongerResolve` (written for people) into tests. Two shapes are
 * understood: `owner/repo@0.x.y (unprefixed tags, except 0.35.0)` and `owner/repo@vA .. vB`. Any other
 * shape throws, so a new line in the data cannot be silently ignored.
 */
export function badRefs(pins: PinsData): BadRef[] {
  const about = "force-pushed to a credential-stealing commit in March 2026 (GHSA-69fq-xp46-6x23); the tag no longer resolves";
  const refs: BadRef[] = pins.knownCompromised.refsThatNoLongerResolve.map((line) => {
    const unprefixed = /^([\w.-]+\/[\w.-]+)@0\.x\.y \(unprefixed tags(?:, except ([\d., ]+))?\)$/.exec(line);
    if (unprefixed?.[1]) {
      const except = (unprefixed[2] ?? "").split(/[ ,]+/).filter(Boolean);
      return { action: unprefixed[1].toLowerCase(), kind: "gone", test: (tag) => /^0\.\d+\.\d+$/.test(tag) && !except.includes(tag), why: about };
    }
    const range = /^([\w.-]+\/[\w.-]+)@(v[\d.]+) \.\. (v[\d.]+)$/.exec(line);
    if (range?.[1] && range[2] && range[3]) {
      const [from, to] = [range[2], range[3]];
      return { action: range[1].toLowerCase(), kind: "gone", test: (tag) => tag.startsWith("v") && versionParts(tag) !== undefined && inRange(tag, from, to), why: about };
    }
    throw new Error(`internal: data/pins.json refsThatNoLongerResolve has a shape the pin lint does not understand: ${line}`);
  });
  for (const a of ADVISORIES) {
    refs.push({ action: a.action, kind: "advisory", test: (tag) => versionParts(tag) !== undefined && inRange(tag, a.from, a.to), why: a.why });
  }
  return refs;
}

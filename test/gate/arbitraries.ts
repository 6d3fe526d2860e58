import fc from "fast-check";

/**
 * Generated workflows for the property tests: random jobs and steps (one of them, or none, builds the
 * image), comments, blank lines, 2/4-space or unindented lists, CRLF or LF, a final newline or not.
 */

export interface Style {
  mapIndent: 2 | 4;
  seqIndented: boolean;
  wideDash: boolean;
  crlf: boolean;
  finalNewline: boolean;
  header: string;
  blankBetweenSteps: boolean;
  blankBetweenJobs: boolean;
}

type Step =
  | { kind: "checkout"; with: boolean }
  | { kind: "run"; name?: string; cmd: string; comment?: string }
  | { kind: "block"; name: string; lines: string[] }
  | { kind: "comment"; text: string };

type Build =
  | { kind: "docker"; multiline: boolean; tag: string; buildx: boolean }
  | { kind: "bpa"; setupBuildx: boolean; load: boolean; tagged: boolean };

export interface Generated {
  style: Style;
  jobs: { key: string; env: boolean; steps: Step[] }[];
  build?: { job: number; at: number; step: Build };
}

const word = fc.constantFrom("alpha", "beta", "gamma", "delta", "unit tests", "lint: all", "make it #1");
const cmd = fc.constantFrom("go test ./...", "go vet ./...", "echo \"hello\"", "make lint", "./scripts/check.sh --fast");

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("checkout" as const), with: fc.boolean() }),
  fc.record({ kind: fc.constant("run" as const), name: fc.option(word, { nil: undefined }), cmd, comment: fc.option(word, { nil: undefined }) }, { requiredKeys: ["kind", "cmd"] }),
  fc.record({ kind: fc.constant("block" as const), name: word, lines: fc.array(cmd, { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant("comment" as const), text: word }),
);

const build: fc.Arbitrary<Build> = fc.oneof(
  fc.record({
    kind: fc.constant("docker" as const),
    multiline: fc.boolean(),
    tag: fc.constantFrom("acme/svc:ci", "ghcr.io/acme/svc:${{ github.sha }}", "$IMAGE:pr", "\"${IMAGE}:${GITHUB_SHA}\""),
    buildx: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("bpa" as const), setupBuildx: fc.boolean(), load: fc.boolean(), tagged: fc.boolean() }),
);

const style: fc.Arbitrary<Style> = fc.record({
  mapIndent: fc.constantFrom(2 as const, 4 as const),
  seqIndented: fc.boolean(),
  wideDash: fc.boolean(),
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
  header: fc.constantFrom("", "# Licensed under MIT.\n", "---\n", "# SPDX-License-Identifier: Apache-2.0\n#\n---\n"),
  blankBetweenSteps: fc.boolean(),
  blankBetweenJobs: fc.boolean(),
});

export const generated: fc.Arbitrary<Generated> = fc
  .record({
    style,
    jobs: fc.uniqueArray(
      fc.record({ key: fc.constantFrom("build", "test", "lint", "e2e", "docker", "release-check"), env: fc.boolean(), steps: fc.array(step, { minLength: 0, maxLength: 4 }) }),
      { minLength: 1, maxLength: 3, selector: (j) => j.key },
    ),
    build: fc.option(fc.record({ job: fc.nat(), at: fc.nat(), step: build }), { nil: undefined }),
  })
  .map((g) => {
    // Every job needs a real step; the build goes into an existing job at a valid position. New
    // objects only: fast-check shrinks from the values it generated, so mutating them here made a
    // failing run shrink forever (a CI run stalled on it).
    const jobs = g.jobs.map((j) =>
      j.steps.some((s) => s.kind !== "comment") ? { ...j } : { ...j, steps: [...j.steps, { kind: "checkout" as const, with: false }] },
    );
    if (!g.build) return { style: g.style, jobs };
    const job = g.build.job % jobs.length;
    const target = jobs[job];
    if (target && g.build.step.kind === "docker" && g.build.step.tag.includes("IMAGE")) jobs[job] = { ...target, env: true };
    return { style: g.style, jobs, build: { ...g.build, job, at: g.build.at % ((target?.steps.length ?? 0) + 1) } };
  });

/** The workflow text for `g`. */
export function render(g: Generated): string {
  const s = g.style;
  const u = s.mapIndent;
  const pad = (n: number) => " ".repeat(n);
  const dashCol = 2 * u + (s.seqIndented ? u : 0);
  const content = dashCol + (s.wideDash && u === 4 ? 4 : 2);
  const dash = `${pad(dashCol)}-${pad(content - dashCol - 1)}`;
  const lines: string[] = ["name: Generated", "on:", `${pad(u)}pull_request:`, `${pad(u)}push:`, `${pad(2 * u)}branches: [main]`, "jobs:"];
  g.jobs.forEach((job, j) => {
    if (j > 0 && s.blankBetweenJobs) lines.push("");
    lines.push(`${pad(u)}${job.key}:`, `${pad(2 * u)}runs-on: ubuntu-latest`);
    if (job.env) lines.push(`${pad(2 * u)}env:`, `${pad(3 * u)}IMAGE: ghcr.io/acme/svc`);
    lines.push(`${pad(2 * u)}steps:`);
    const steps: (Step | Build)[] = [...job.steps];
    if (g.build && g.build.job === j) {
      if (g.build.step.kind === "bpa" && g.build.step.setupBuildx) steps.splice(g.build.at, 0, { kind: "run", cmd: "SETUP-BUILDX" });
      steps.splice(g.build.at + (g.build.step.kind === "bpa" && g.build.step.setupBuildx ? 1 : 0), 0, g.build.step);
    }
    let first = true;
    for (const st of steps) {
      if (!first && s.blankBetweenSteps && st.kind !== "comment") lines.push("");
      first = false;
      lines.push(...stepLines(st, dash, pad(content), pad(content + u), pad(dashCol)));
    }
  });
  const eol = s.crlf ? "\r\n" : "\n";
  const text = s.header.replace(/\n/g, eol) + lines.join(eol);
  return s.finalNewline ? text + eol : text;
}

function stepLines(st: Step | Build, dash: string, key: string, nested: string, atDash: string): string[] {
  switch (st.kind) {
    case "checkout":
      return st.with ? [`${dash}uses: actions/checkout@v4`, `${key}with:`, `${nested}persist-credentials: false`] : [`${dash}uses: actions/checkout@v4`];
    case "run":
      if (st.cmd === "SETUP-BUILDX") return [`${dash}uses: docker/setup-buildx-action@v3`];
      return [
        ...(st.name ? [`${dash}name: '${st.name}'`, `${key}run: ${st.cmd}`] : [`${dash}run: ${st.cmd}`]),
        ...(st.comment ? [`${key}# ${st.comment}`] : []),
      ];
    case "block":
      return [`${dash}name: '${st.name}'`, `${key}run: |`, ...st.lines.map((l) => `${nested}${l}`)];
    case "comment":
      return [`${atDash}# ${st.text}`];
    case "docker": {
      const build = st.buildx ? "docker buildx build" : "docker build";
      return st.multiline
        ? [`${dash}name: Build the image`, `${key}run: |`, `${nested}${build} \\`, `${nested}  --file Dockerfile \\`, `${nested}  --tag ${st.tag} \\`, `${nested}  .`]
        : [`${dash}name: Build the image`, `${key}run: ${build} -t ${st.tag} .`];
    }
    case "bpa":
      return [
        `${dash}name: Build the image`,
        `${key}uses: docker/build-push-action@v6`,
        `${key}with:`,
        `${nested}context: .`,
        ...(st.load ? [`${nested}load: true`] : []),
        ...(st.tagged ? [`${nested}tags: ghcr.io/acme/svc:\${{ github.sha }}`] : []),
      ];
  }
}

import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { makeRepo } from "../support/repo.js";

// Issue 10 §4: the same plan note was printed 2 to 5 times. The shape that did it: a matrix job with two
// builds of the same Dockerfile (the image, then a debug image), each naming matrix values, so each
// build found said "job build builds a matrix ...". src/plan/ says each note once.
const ci = `name: CI
on:
  pull_request:
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        arch: [amd64, arm64]
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          persist-credentials: false
      - name: Build image
        run: docker build --build-arg GOARCH=\${{ matrix.arch }} -t ghcr.io/acme/hello-service:\${{ matrix.arch }} .
      - name: Build debug image
        run: docker build --build-arg GOARCH=\${{ matrix.arch }} -t ghcr.io/acme/hello-service:debug-\${{ matrix.arch }} .
`;

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe("plan notes", () => {
  it("a matrix job with two builds of the same Dockerfile: each note is printed once", () => {
    const dir = makeRepo("example", { files: { ".github/workflows/ci.yml": ci } });
    const r = runCli(["--yes", "--dry-run", dir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const plan = r.stdout.split("\n===")[0] ?? ""; // the plan table and its notes, before the diffs
    expect(count(plan, "job build builds a matrix (arch: amd64, arm64)")).toBe(1);
    // No note line of the plan, of any kind, appears twice.
    const notes = plan.split("\n").filter((l) => /^\s+(- |note: )/.test(l));
    expect(notes.length).toBeGreaterThan(0);
    expect(notes.filter((l, i) => notes.indexOf(l) !== i)).toEqual([]);
  });
});

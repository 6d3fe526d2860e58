import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { makeRepo, snapshot } from "../support/repo.js";

// A refusal (exit 2) says what to add by hand, and how to set up the rest today without it: the shape of
// prometheus/alertmanager, whose Dockerfile copies binaries its CI builds with promu.
const PREBUILT = {
  Dockerfile: "FROM busybox:1.37\nCOPY .build/linux-amd64/server /bin/server\nENTRYPOINT [\"/bin/server\"]\n",
  ".github/workflows/ci.yml": "name: CI\non:\n  pull_request:\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make build\n",
};

describe("a refusal names the way forward that needs no change to the build", () => {
  it("exit 2 with the step to add by hand and --no-image-scan, nothing written; --no-image-scan then sets up the rest", () => {
    const dir = makeRepo("example", { files: PREBUILT });
    const before = snapshot(dir);
    const refused = runCli(["--yes", dir], { timeoutMs: 120_000 });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("COPYs a binary that none of its stages builds (line 2: COPY .build/linux-amd64/server /bin/server)");
    expect(refused.stderr).toContain("re-run with --no-image-scan (the daily govulncheck rescan of the code and its issues); to add the gate later, re-run with --image-scan.");
    expect(snapshot(dir)).toEqual(before);

    const rest = runCli(["--yes", "--no-image-scan", dir], { timeoutMs: 120_000 });
    expect(rest.code).toBe(0);
    expect(rest.stdout).toContain("create    .github/workflows/security-scan.yml");
    expect(snapshot(dir).get(".github/workflows/ci.yml")).toBe(before.get(".github/workflows/ci.yml"));
  });
});

// A copy of the example service whose ci.yml holds one job of `steps` steps (issue 19: "a 5,000-step
// workflow"), for `npm run bench`: the checkout, then `steps - 2` test steps (a name, a `run:` and an
// `env:` each, so the YAML is not trivially small per step), then the image build. A set-up splices the
// gate after the build, so the parser, the locator, the edit and its check all walk every step.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { exampleRepo } from "./example-repo.mjs";

export function longWorkflowText(steps) {
  const lines = [
    "name: CI", "", "on:", "  pull_request:", "  push:", "    branches: [main]", "", "permissions:", "  contents: read", "",
    "jobs:", "  build:", "    runs-on: ubuntu-latest", "    steps:",
    "      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
    "        with:", "          persist-credentials: false",
  ];
  for (let i = 1; i <= steps - 2; i++) {
    lines.push(`      - name: Test shard ${i}`, "        env:", `          SHARD: "${i}"`, `        run: go test -run 'Shard${i}$' ./...`);
  }
  lines.push("      - name: Build image", "        run: docker build -t ghcr.io/acme/hello-service:${{ github.sha }} .", "");
  return lines.join("\n");
}

/** The example clone with a `steps`-step ci.yml, committed, as a user's repository would be. */
export function longWorkflowRepo(steps, prefix = "relay-bench-long-") {
  const repo = exampleRepo(prefix);
  writeFileSync(join(repo.dir, ".github", "workflows", "ci.yml"), longWorkflowText(steps));
  repo.git("commit", "-q", "-am", `ci.yml with ${steps} steps`);
  return repo;
}

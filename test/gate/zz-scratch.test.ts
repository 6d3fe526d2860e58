import { test } from "vitest";
import { planGate } from "../../src/gate/index.js";
import { requestForText } from "./helpers.js";
test("x", () => {
  const t = `name: CI
on:
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4

      - name: Build image
        run: docker build -t ghcr.io/acme/svc:\${{ github.sha }} .

      - run: go test ./...
`;
  const r = planGate(requestForText(t));
  console.log(r.kind, r.kind === "edit" ? r.after.replace(/^$/gm, "<blank>") + "\n" + r.notes.join("\n") + "\n" + r.summary : JSON.stringify(r));
  if (r.kind === "edit") { const r2 = planGate(requestForText(r.after)); console.log(JSON.stringify(r2)); }
});

import { loadPins } from "../../src/pins.js";

/** A build job that logs in to a registry and may push (issue 20 item 7's shape), for the privilege tests. */
const pins = loadPins().actions;
/** `owner/repo@<sha> # <tag>` from data/pins.json. */
export const pin = (action: string) => `${action}@${pins[action]?.sha} # ${pins[action]?.tag}`;

const login = [
  `      - uses: ${pin("docker/login-action")}`,
  "        with:",
  "          registry: ghcr.io",
  "          username: ${{ github.actor }}",
  "          password: ${{ secrets.GITHUB_TOKEN }}",
];

/** `packages: write`, a checkout that keeps its token, a registry login, a build, a push after it. */
export const PRIVILEGED_CI = [
  "name: CI # the build job pushes on main",
  "on:",
  "  pull_request:",
  "jobs:",
  "  build:",
  "    runs-on: ubuntu-latest",
  "    permissions:",
  "      contents: read",
  "      packages: write",
  "    steps:",
  `      - uses: ${pin("actions/checkout")}`,
  ...login,
  "      - name: Build image",
  "        run: docker build -t ghcr.io/acme/hello-service:${{ github.sha }} .",
  "      - name: Push on main",
  "        if: github.ref == 'refs/heads/main'",
  "        run: docker push ghcr.io/acme/hello-service:${{ github.sha }}",
  "",
].join("\n");

/** The same job written so that actionlint and zizmor find nothing in it: what they find is then ours. */
export const LINT_CLEAN_CI = [
  "name: CI",
  "on:",
  "  pull_request:",
  "permissions: {}",
  "concurrency:",
  "  group: ci-${{ github.ref }}",
  "  cancel-in-progress: true",
  "jobs:",
  "  build:",
  "    name: Build",
  "    runs-on: ubuntu-latest",
  "    permissions:",
  "      contents: read # to check out",
  "      packages: write # to push on main",
  "    steps:",
  `      - uses: ${pin("actions/checkout")}`,
  "        with:",
  "          persist-credentials: false",
  ...login,
  "      - name: Build image",
  "        run: docker build -t ghcr.io/acme/hello-service:pr .",
  "",
].join("\n");

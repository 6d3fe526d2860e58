set -euo pipefail
# Grype from `go install` at the pinned version: Go checks the sources
# against its checksum database (sum.golang.org), independently of
# Grype's release assets and of install.sh on Grype's default branch,
# which anchore/scan-action would otherwise download and run (issue 13).
# The binary is put where scan-action looks first (the runner's tool
# cache, RUNNER_TOOL_CACHE/grype/VERSION/ARCH), so it never installs one
# itself. A binary from the daily cache is reused when Go's build info
# says it is that version.
# Env: GRYPE_VERSION, GRYPE_HOME (the cached directory: bin/grype, db/).
: "${GRYPE_VERSION:?GRYPE_VERSION must be the pinned Grype version}"
: "${GRYPE_HOME:?GRYPE_HOME must name the cached Grype directory}"
: "${RUNNER_TOOL_CACHE:?RUNNER_TOOL_CACHE is set on every runner}"
module=github.com/anchore/grype
bin="$GRYPE_HOME/bin/grype"
built_from_pin() {
  [[ -x "$bin" ]] && go version -m "$bin" 2>/dev/null |
    awk -v m="$module" -v v="$GRYPE_VERSION" \
      '$1 == "mod" && $2 == m && $3 == v { ok = 1 } END { exit !ok }'
}

if built_from_pin; then
  echo "Using Grype $GRYPE_VERSION from the cache (built by go" \
    "install)."
else
  echo "Building Grype $GRYPE_VERSION with go install (sources" \
    "checked by Go's checksum database)."
  # GOTOOLCHAIN=auto: Grype's go.mod may need a newer Go than the
  # runner's; Go fetches and checks it.
  GOBIN="$GRYPE_HOME/bin" GOTOOLCHAIN=auto \
    go install "$module/cmd/grype@$GRYPE_VERSION"
  if ! built_from_pin; then
    echo "go install did not leave $module@$GRYPE_VERSION at $bin."
    exit 1
  fi
fi

case "${RUNNER_ARCH:-X64}" in
  X64) arch=x64 ;;
  ARM64) arch=arm64 ;;
  *)
    echo "No Grype for runner architecture ${RUNNER_ARCH}."
    exit 1
    ;;
esac
dir="$RUNNER_TOOL_CACHE/grype/${GRYPE_VERSION#v}/$arch"
mkdir -p "$dir"
cp "$bin" "$dir/grype"
touch "$dir.complete"

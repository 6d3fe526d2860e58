#!/usr/bin/env bash
# Install the pinned external tools the test suite drives into .tools/ (git-ignored).
#
#   npm run tools          # or: bash scripts/tools.sh
#   source .tools/env.sh   # puts .tools/bin first on PATH
#
# Idempotent: a tool whose binary is present and reports the pinned version is left alone
# (Trivy takes minutes to build, so it is never rebuilt when present).
# Go tools are built with `go install module@version` from the Go module proxy; zizmor is a
# prebuilt PyPI wheel in a venv; shellcheck comes from apt (Debian 12 ships 0.9.0).
set -euo pipefail

# ---- pins ----------------------------------------------------------------------------------
# data/pins.json tools.actionlint.version (rhysd/actionlint release tag).
ACTIONLINT_MODULE=github.com/rhysd/actionlint/cmd/actionlint
# renovate: datasource=go depName=github.com/rhysd/actionlint
ACTIONLINT_VERSION=v1.7.12
# data/pins.json tools.trivy.version; v0.74.0's go.mod needs go >= 1.26.3.
TRIVY_MODULE=github.com/aquasecurity/trivy/cmd/trivy
# renovate: datasource=github-releases depName=aquasecurity/trivy
TRIVY_VERSION=v0.74.0
# data/pins.json tools.govulncheck.version: newest golang.org/x/vuln on the Go module proxy
# (`go list -m -versions golang.org/x/vuln`, 2026-11-27); builds with Go 1.26.8 (go.mod: go 1.26.0).
GOVULNCHECK_MODULE=golang.org/x/vuln/cmd/govulncheck
# renovate: datasource=go depName=golang.org/x/vuln
GOVULNCHECK_VERSION=v1.9.0
# Newest zizmor on PyPI (`pip index versions zizmor`, 2026-11-27); prebuilt manylinux wheel.
# renovate: datasource=pypi depName=zizmor
ZIZMOR_VERSION=1.32.0
# yamllint with its default rules is what some repositories gate CI on; our renders must pass its
# line-length rule (issue 10). Newest on PyPI (2026-01); pure-Python wheel, in the zizmor venv.
# renovate: datasource=pypi depName=yamllint
YAMLLINT_VERSION=1.38.0
# Whatever apt serves (Debian 12 bookworm: 0.9.0-1); its version is recorded, not enforced.
SHELLCHECK_APT_PACKAGE=shellcheck

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
STAMPS="$TOOLS/stamps"
VENV="$TOOLS/venv"
mkdir -p "$BIN" "$STAMPS"

die() { echo "tools.sh: error: $*" >&2; exit 1; }
report() { printf '%-12s %-10s %s\n' "$1" "$2" "$3"; }

# ---- the pins above must agree with data/pins.json ------------------------------------------
check_pin() { # <tool> <version>
  local got
  got="$(node -e 'const p=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));process.stdout.write(String(p.tools?.[process.argv[2]]?.version??""))' \
    "$ROOT/data/pins.json" "$1")"
  [[ "$got" == "$2" ]] || die "scripts/tools.sh pins $1 $2 but data/pins.json says '${got}'"
}
if command -v node >/dev/null 2>&1; then
  check_pin actionlint "$ACTIONLINT_VERSION"
  check_pin trivy "$TRIVY_VERSION"
  check_pin govulncheck "$GOVULNCHECK_VERSION"
fi

# ---- Go tools ---------------------------------------------------------------------------------
# True when <binary> was built from <module>@<version> (reads the Go build info embedded in it).
go_built_from() { # <binary> <module> <version>
  [[ -x "$1" ]] || return 1
  go version -m "$1" 2>/dev/null | awk -v p="$2" -v v="$3" '
    $1 == "path" && $2 == p { okp = 1 }
    $1 == "mod" && index(p "/", $2 "/") == 1 && $3 == v { okv = 1 }
    END { exit !(okp && okv) }'
}

go_tool() { # <name> <module> <version> [extra `go install` flags...]
  local name="$1" module="$2" version="$3" bin="$BIN/$1" start
  shift 3
  if go_built_from "$bin" "$module" "$version"; then
    report "$name" "$version" "already present"
    return
  fi
  start=$SECONDS
  echo "tools.sh: building $module@$version (go install) ..." >&2
  GOBIN="$BIN" go install "$@" "$module@$version"
  go_built_from "$bin" "$module" "$version" || die "$bin is not $module@$version after go install"
  report "$name" "$version" "installed ($((SECONDS - start))s)"
}

command -v go >/dev/null 2>&1 || die "go is not on PATH (Trivy $TRIVY_VERSION needs go >= 1.26.3)"

go_tool actionlint "$ACTIONLINT_MODULE" "$ACTIONLINT_VERSION"
go_tool govulncheck "$GOVULNCHECK_MODULE" "$GOVULNCHECK_VERSION"
# Built the way Trivy's goreleaser.yml builds releases: the code imports encoding/json/v2, which
# only exists under GOEXPERIMENT=jsonv2, and the -X stamp makes `trivy --version` print the version
# instead of "dev".
CGO_ENABLED=0 GOEXPERIMENT=jsonv2 go_tool trivy "$TRIVY_MODULE" "$TRIVY_VERSION" \
  -ldflags "-s -w -X github.com/aquasecurity/trivy/pkg/version/app.ver=${TRIVY_VERSION#v}"

# The present/installed check above uses the module version embedded in the binary
# (`go version -m`); record that and what `trivy --version` says in a stamp file.
trivy_says="$("$BIN/trivy" --version 2>/dev/null | awk '/^Version:/ { print $2; exit }')" || true
{
  echo "module=$TRIVY_MODULE"
  echo "version=$TRIVY_VERSION"
  echo "trivy_--version=${trivy_says:-unknown}"
  echo "verified_by=go version -m .tools/bin/trivy"
} >"$STAMPS/trivy"

# ---- shellcheck (apt) -------------------------------------------------------------------------
if command -v shellcheck >/dev/null 2>&1; then
  sc_status="already present"
else
  if [[ "$(id -u)" -ne 0 ]]; then
    die "shellcheck is not on PATH and this is not root; install it (apt-get install $SHELLCHECK_APT_PACKAGE) and re-run"
  fi
  command -v apt-get >/dev/null 2>&1 || die "shellcheck is not on PATH and apt-get is not available"
  echo "tools.sh: installing $SHELLCHECK_APT_PACKAGE with apt-get ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "$SHELLCHECK_APT_PACKAGE" >&2
  command -v shellcheck >/dev/null 2>&1 || die "apt-get installed $SHELLCHECK_APT_PACKAGE but shellcheck is still not on PATH"
  sc_status="installed"
fi
sc_version="$(shellcheck --version | awk '/^version:/ { print $2 }')"
printf 'path=%s\nversion=%s\n' "$(command -v shellcheck)" "$sc_version" >"$STAMPS/shellcheck"
report shellcheck "$sc_version" "$sc_status"

# ---- zizmor (PyPI wheel in a venv) ------------------------------------------------------------
zizmor_ok() { [[ -x "$BIN/zizmor" ]] && [[ "$("$BIN/zizmor" --version 2>/dev/null)" == "zizmor $ZIZMOR_VERSION" ]]; }
if zizmor_ok; then
  report zizmor "$ZIZMOR_VERSION" "already present"
else
  command -v python3 >/dev/null 2>&1 || die "python3 is not on PATH (needed for the zizmor venv)"
  echo "tools.sh: installing zizmor==$ZIZMOR_VERSION into .tools/venv ..." >&2
  python3 -m venv --clear "$VENV"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip install --quiet --only-binary=:all: "zizmor==$ZIZMOR_VERSION" >&2
  ln -sfn ../venv/bin/zizmor "$BIN/zizmor"
  zizmor_ok || die "zizmor --version does not print 'zizmor $ZIZMOR_VERSION'"
  report zizmor "$ZIZMOR_VERSION" "installed"
fi

# ---- yamllint (PyPI wheel, in the same venv) -------------------------------------------------
yamllint_ok() { [[ -x "$BIN/yamllint" ]] && [[ "$("$BIN/yamllint" --version 2>/dev/null)" == "yamllint $YAMLLINT_VERSION" ]]; }
if yamllint_ok; then
  report yamllint "$YAMLLINT_VERSION" "already present"
else
  [[ -x "$VENV/bin/python" ]] || die "$VENV has no python (the zizmor step creates it)"
  echo "tools.sh: installing yamllint==$YAMLLINT_VERSION into .tools/venv ..." >&2
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip install --quiet --only-binary=:all: "yamllint==$YAMLLINT_VERSION" >&2
  ln -sfn ../venv/bin/yamllint "$BIN/yamllint"
  yamllint_ok || die "yamllint --version does not print 'yamllint $YAMLLINT_VERSION'"
  report yamllint "$YAMLLINT_VERSION" "installed"
fi

# ---- Renovate's config validator (npm, on a Node 24 from the npm registry) ----------------------
bash "$ROOT/scripts/install-renovate.sh"

# ---- env.sh -------------------------------------------------------------------------------------
cat >"$TOOLS/env.sh" <<EOF
# Generated by scripts/tools.sh; source it to put the pinned tools first on PATH.
export PATH="$BIN:\$PATH"
EOF

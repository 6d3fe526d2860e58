#!/usr/bin/env bash
# Build actionlint as WebAssembly (js/wasm) for the validator's fallback when no native actionlint is on PATH.
#
#   bash scripts/build-wasm.sh [OUT_DIR]      # default: dist-wasm/
#   bash scripts/build-wasm.sh --if-go        # `npm run example`: without Go, say so and build nothing
#                                             # (the CLI then reports actionlint as skipped, never as passed)
#
# Writes OUT_DIR/actionlint.wasm (tools/actionlint-wasm, a tiny main over actionlint's Go API), its
# brotli form OUT_DIR/actionlint.wasm.br (what the package ships and the CLI reads: 10.8 -> 1.8 MB),
# OUT_DIR/wasm_exec.js (the JS glue of the Go that built it: the two must match) and OUT_DIR/VERSION.
# The actionlint version comes from tools/actionlint-wasm/go.mod and must equal data/pins.json
# tools.actionlint.version. A js/wasm program cannot start processes, so this build never runs shellcheck.
set -euo pipefail

if [[ "${1:-}" == "--if-go" ]]; then
  shift
  if ! command -v go >/dev/null 2>&1; then
    echo "build-wasm.sh: go is not on PATH, so no WebAssembly actionlint is built; the example runs without actionlint (its report says so) unless one is on PATH" >&2
    exit 0
  fi
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/tools/actionlint-wasm"
OUT="$(mkdir -p "${1:-$ROOT/dist-wasm}" && cd "${1:-$ROOT/dist-wasm}" && pwd)"

die() { echo "build-wasm.sh: error: $*" >&2; exit 1; }
command -v go >/dev/null 2>&1 || die "go is not on PATH"

want="$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).tools.actionlint.version)' "$ROOT/data/pins.json")"
have="$(awk '$1 == "require" && $2 == "github.com/rhysd/actionlint" { print $3 }' "$SRC/go.mod")"
[[ "$have" == "$want" ]] || die "tools/actionlint-wasm/go.mod requires actionlint $have but data/pins.json says $want"

GOROOT="$(go env GOROOT)"
glue="$GOROOT/lib/wasm/wasm_exec.js"        # Go >= 1.24
[[ -f "$glue" ]] || glue="$GOROOT/misc/wasm/wasm_exec.js"
[[ -f "$glue" ]] || die "wasm_exec.js not found under $GOROOT (lib/wasm or misc/wasm)"

start=$SECONDS
# actionlint's table of popular actions is one map literal that Go compiles into a single 1.6 MB init
# function; V8 took 65 MB and 55 ms to compile it, most of the wasm's start-up. The build uses a copy of
# the actionlint module whose popular_actions.go is the same table as a string and a decoder
# (tools/actionlint-wasm/popular), after checking that both builds hold the same table, field for field.
# The copy is made afresh in tools/actionlint-wasm/.build (git-ignored): a go.mod replace path is
# relative to the module and is recorded in the binary, so a fixed one keeps the build reproducible.
BUILD="$SRC/.build"
exec 9>"$SRC/.build.lock"
flock 9 # one build at a time uses .build (a test builds into its own OUT_DIR while `npm run build` may run)
rm -rf "$BUILD" && mkdir -p "$BUILD"
(cd "$SRC" && go mod download github.com/rhysd/actionlint)
orig="$(cd "$SRC" && go list -m -f '{{.Dir}}' github.com/rhysd/actionlint)"
cp -R "$orig" "$BUILD/actionlint" && chmod -R u+w "$BUILD/actionlint"
(cd "$SRC" && go build -o "$BUILD/popular-orig" ./popular)
"$BUILD/popular-orig" gen "$BUILD/actionlint/popular_actions.go"
cp "$SRC/go.mod" "$BUILD/wasm.mod" && cp "$SRC/go.sum" "$BUILD/wasm.sum"
printf '\nreplace github.com/rhysd/actionlint => ./.build/actionlint\n' >>"$BUILD/wasm.mod"
(cd "$SRC" && go build -modfile="$BUILD/wasm.mod" -o "$BUILD/popular-new" ./popular)
"$BUILD/popular-orig" dump >"$BUILD/popular-orig.txt"
"$BUILD/popular-new" dump >"$BUILD/popular-new.txt"
cmp -s "$BUILD/popular-orig.txt" "$BUILD/popular-new.txt" \
  || die "the rewritten table of popular actions differs from actionlint's: diff $BUILD/popular-orig.txt $BUILD/popular-new.txt"
(cd "$SRC" && GOOS=js GOARCH=wasm CGO_ENABLED=0 go build -modfile="$BUILD/wasm.mod" -trimpath -ldflags="-s -w" -o "$OUT/actionlint.wasm.tmp" .)
mv "$OUT/actionlint.wasm.tmp" "$OUT/actionlint.wasm"
cp "$glue" "$OUT/wasm_exec.js"
# Brotli at its best quality takes ~40 s of CPU, so it runs only when the wasm changed (the Go build is
# reproducible: -trimpath, no build ID); the hash of the wasm it came from is kept beside it.
node --input-type=module - "$OUT/actionlint.wasm" <<'JS'
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants as z } from "node:zlib";
const wasm = process.argv[2];
const bytes = readFileSync(wasm);
const hash = createHash("sha256").update(bytes).digest("hex");
if (existsSync(`${wasm}.br`) && existsSync(`${wasm}.br.sha256`) && readFileSync(`${wasm}.br.sha256`, "utf8").trim() === hash) process.exit(0);
const params = { [z.BROTLI_PARAM_QUALITY]: 11, [z.BROTLI_PARAM_LGWIN]: 24, [z.BROTLI_PARAM_SIZE_HINT]: bytes.length };
writeFileSync(`${wasm}.br.tmp`, brotliCompressSync(bytes, { params }));
renameSync(`${wasm}.br.tmp`, `${wasm}.br`);
writeFileSync(`${wasm}.br.sha256`, `${hash}\n`);
JS
printf 'actionlint=%s\ngo=%s\n' "$have" "$(go env GOVERSION)" >"$OUT/VERSION"
echo "build-wasm.sh: $OUT/actionlint.wasm ($(du -h "$OUT/actionlint.wasm" | cut -f1), brotli $(du -h "$OUT/actionlint.wasm.br" | cut -f1), actionlint $have, $(go env GOVERSION)) in $((SECONDS - start))s" >&2

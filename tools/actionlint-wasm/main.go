//go:build js && wasm

// Command actionlint-wasm exposes actionlint's Go API to JavaScript as one global function,
// globalThis.__actionlint(path, source) -> JSON string of [{message, filepath, line, column, kind}].
// Built by scripts/build-wasm.sh; driven from a Node worker thread by src/validate/actionlint-wasm.ts.
// No shellcheck or pyflakes here: a js/wasm program cannot start processes.
package main

import (
	"encoding/json"
	"io"
	"syscall/js"

	"github.com/rhysd/actionlint"
)

func lint(path, source string) (string, error) {
	linter, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	if err != nil {
		return "", err
	}
	errs, err := linter.Lint(path, []byte(source), nil)
	if err != nil {
		return "", err
	}
	out := make([]map[string]any, 0, len(errs))
	for _, e := range errs {
		out = append(out, map[string]any{
			"message": e.Message, "filepath": e.Filepath, "line": e.Line, "column": e.Column, "kind": e.Kind,
		})
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func main() {
	js.Global().Set("__actionlint", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 2 {
			return map[string]any{"error": "usage: __actionlint(path, source)"}
		}
		out, err := lint(args[0].String(), args[1].String())
		if err != nil {
			return map[string]any{"error": err.Error()}
		}
		return map[string]any{"json": out}
	}))
	js.Global().Call("__actionlintReady")
	select {}
}

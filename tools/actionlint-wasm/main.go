//go:build js && wasm

// Command actionlint-wasm exposes actionlint's Go API to JavaScript as one global function,
// globalThis.__actionlint(path, source[, config]) -> JSON string of [{message, filepath, line, column, kind}].
// config is the text of the repository's .github/actionlint.yaml: a wasm program cannot read the file
// itself, so the caller passes it and it is applied as actionlint applies its -config-file.
// Built by scripts/build-wasm.sh; driven from a Node worker thread by src/validate/actionlint-wasm.ts.
// No shellcheck or pyflakes here: a js/wasm program cannot start processes.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"syscall/js"

	"github.com/rhysd/actionlint"
)

func lint(path, source, config string) (string, error) {
	opts := &actionlint.LinterOptions{}
	var cfg *actionlint.Config
	if config != "" {
		c, err := actionlint.ParseConfig([]byte(config))
		if err != nil {
			return "", fmt.Errorf("could not parse the actionlint config: %w", err)
		}
		cfg = c
		// What the linter does with a config it read itself: every rule gets it (runner labels,
		// config variables) ...
		opts.OnRulesCreated = func(rules []actionlint.Rule) []actionlint.Rule {
			for _, r := range rules {
				r.SetConfig(cfg)
			}
			return rules
		}
	}
	linter, err := actionlint.NewLinter(io.Discard, opts)
	if err != nil {
		return "", err
	}
	errs, err := linter.Lint(path, []byte(source), nil)
	if err != nil {
		return "", err
	}
	out := make([]map[string]any, 0, len(errs))
	// ... and the errors its `paths:` section ignores for this file are dropped.
	ignores := cfg.PathConfigs(path)
Errors:
	for _, e := range errs {
		for _, c := range ignores {
			if c.Ignore.Match(e) {
				continue Errors
			}
		}
		out = append(out, map[string]any{
			"message": e.Message, "filepath": e.Filepath, "line": e.Line, "column": e.Column, "kind": e.Kind,
		})
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func main() {
	js.Global().Set("__actionlint", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 2 && len(args) != 3 {
			return map[string]any{"error": "usage: __actionlint(path, source[, config])"}
		}
		config := ""
		if len(args) == 3 && args[2].Type() == js.TypeString {
			config = args[2].String()
		}
		out, err := lint(args[0].String(), args[1].String(), config)
		if err != nil {
			return map[string]any{"error": err.Error()}
		}
		return map[string]any{"json": out}
	}))
	js.Global().Call("__actionlintReady")
	select {}
}

package main

import (
	"net/http/httptest"
	"testing"
)

func TestHello(t *testing.T) {
	rec := httptest.NewRecorder()
	hello(rec, httptest.NewRequest("GET", "/hello?name=relay", nil))
	if got, want := rec.Body.String(), "hello, relay\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

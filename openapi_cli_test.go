package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenAPIAndTypegenCLI: `basalt openapi` and `basalt typegen` print
// (or write with --out) the documents of the data dir's schema.
func TestOpenAPIAndTypegenCLI(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	out := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append(args, "--dir", dir)...)
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return string(b)
	}
	file := filepath.Join(t.TempDir(), "public.json")
	tsFile := filepath.Join(t.TempDir(), "pb.ts")
	if s := out("openapi", "--public", "--out", file); s != "" {
		t.Fatalf("--out printed %q", s)
	}
	out("typegen", "--out", tsFile)
	publicRaw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tsRaw, err := os.ReadFile(tsFile)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]map[string]any{}
	for name, raw := range map[string]string{"full": out("openapi"), "public": string(publicRaw)} {
		var m map[string]any
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		docs[name] = m
	}
	paths := func(doc string) map[string]any { return docs[doc]["paths"].(map[string]any) }
	cases := []struct {
		name string
		ok   bool
	}{
		{"version 3.1", docs["full"]["openapi"] == "3.1.0"},
		{"users endpoints", paths("full")["/api/collections/users/records"] != nil},
		{"superusers in the full document", paths("full")["/api/collections/_superusers/auth-with-password"] != nil},
		{"superusers not in the public one", paths("public")["/api/collections/_superusers/records"] == nil},
		{"typegen: users types", strings.Contains(string(tsRaw), "export type UsersResponse<TExpand = UsersExpand>")},
		{"typegen: typed client", strings.Contains(out("typegen"), `collection(idOrName: "users"): RecordService<UsersResponse>`)},
	}
	for _, tc := range cases {
		if !tc.ok {
			t.Errorf("%s: no", tc.name)
		}
	}
}

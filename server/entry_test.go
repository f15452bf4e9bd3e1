package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/server"
)

// ExampleNew extends Basalt from another Go module: a hook bound to
// every opened app and a custom command that opens the app without
// serving it. A program ends with b.Start() (os.Args, SIGTERM); the
// example runs fixed arguments with Execute instead.
func ExampleNew() {
	dir, err := os.MkdirTemp("", "basalt-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	b := server.New(server.Config{DefaultDataDir: filepath.Join(dir, "pb_data"), Stderr: io.Discard})
	b.OnOpen(func(app *core.App) error {
		app.OnBootstrap().BindFunc(func(e *core.BootstrapEvent) error {
			fmt.Println("bootstrap hook ran")
			return e.Next()
		})
		return nil
	})
	b.RootCmd.AddCommand(&cobra.Command{
		Use:   "count",
		Short: "Print the number of superusers",
		RunE: func(cmd *cobra.Command, _ []string) error {
			app, err := b.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer app.Terminate()
			col, err := app.FindCollectionByNameOrId(core.SuperusersCollectionName)
			if err != nil {
				return err
			}
			ids, err := app.Store().RecordIds(cmd.Context(), col)
			fmt.Fprintln(cmd.OutOrStdout(), "superusers:", len(ids))
			return err
		},
	})
	if err := b.Execute(context.Background(), []string{"count"}); err != nil {
		os.Exit(1)
	}
	// Output:
	// bootstrap hook ran
	// superusers: 0
}

// TestCustomCommandSeesGlobalFlags: a command added to RootCmd gets
// --help and reads the global flags with their BASALT_* mirrors
// (flag > env > default), and Open opens the data dir they name.
func TestCustomCommandSeesGlobalFlags(t *testing.T) {
	envDir := filepath.Join(t.TempDir(), "from-env")
	flagDir := filepath.Join(t.TempDir(), "from-flag")
	cases := []struct {
		name    string
		args    []string
		wantOut []string
		opened  string // the data dir Open must have created, if any
	}{
		{"help lists the command's usage and the global flags", []string{"hello", "--help"},
			[]string{"Say hello from the data dir", "Usage:", "basalt hello", "--dir string"}, ""},
		{"env mirror fills the global flag", []string{"hello"}, []string{"dir=" + envDir, "collections>0"}, envDir},
		{"flag beats env", []string{"hello", "--dir", flagDir}, []string{"dir=" + flagDir, "collections>0"}, flagDir},
		{"the root help lists the command", []string{"--help"}, []string{"hello", "Say hello from the data dir", "serve"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("BASALT_DIR", envDir)
			var out bytes.Buffer
			b := server.New(server.Config{Stdout: &out, Stderr: io.Discard})
			b.RootCmd.AddCommand(&cobra.Command{
				Use:   "hello",
				Short: "Say hello from the data dir",
				RunE: func(cmd *cobra.Command, _ []string) error {
					dir, err := cmd.Flags().GetString("dir")
					if err != nil {
						return err
					}
					app, err := b.Open(cmd.Context())
					if err != nil {
						return err
					}
					defer app.Terminate()
					if got := app.Config().DataDir; got != dir {
						return fmt.Errorf("Open used %q, the flag says %q", got, dir)
					}
					fmt.Fprintf(cmd.OutOrStdout(), "dir=%s\n", dir)
					if len(app.Collections()) > 0 {
						fmt.Fprintln(cmd.OutOrStdout(), "collections>0")
					}
					return nil
				},
			})
			if err := b.Execute(t.Context(), tc.args); err != nil {
				t.Fatalf("execute: %v", err)
			}
			for _, want := range tc.wantOut {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
			if tc.opened != "" {
				if _, err := os.Stat(filepath.Join(tc.opened, "data.db")); err != nil {
					t.Errorf("data dir %s not opened: %v", tc.opened, err)
				}
			}
		})
	}
}

// TestOpenWithoutServing: Open, outside any command, takes the data dir
// from BASALT_DIR, runs the OnOpen hooks before the bootstrap, and an
// OnOpen error aborts it.
func TestOpenWithoutServing(t *testing.T) {
	cases := []struct {
		name    string
		hookErr error
	}{
		{"opens and bootstraps", nil},
		{"hook error aborts", errors.New("no")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "pb_data")
			t.Setenv("BASALT_DIR", dir)
			b := server.New(server.Config{DefaultDataDir: filepath.Join(t.TempDir(), "unused"), Stderr: io.Discard})
			bootstrapped := false
			b.OnOpen(func(app *core.App) error {
				app.OnBootstrap().BindFunc(func(e *core.BootstrapEvent) error {
					bootstrapped = true
					return e.Next()
				})
				return tc.hookErr
			})
			app, err := b.Open(t.Context())
			if tc.hookErr != nil {
				if !errors.Is(err, tc.hookErr) {
					t.Fatalf("got %v, want the hook's error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer app.Terminate()
			if app.Config().DataDir != dir || !bootstrapped {
				t.Fatalf("data dir %q (want %q), bootstrap hook ran: %v", app.Config().DataDir, dir, bootstrapped)
			}
			if _, err := app.FindCollectionByNameOrId(core.SuperusersCollectionName); err != nil {
				t.Fatalf("system collections missing: %v", err)
			}
		})
	}
}

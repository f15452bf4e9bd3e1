package postgres

import "testing"

func TestIndexSQL(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"backticks", "CREATE UNIQUE INDEX `idx_a` ON `users` (`email`)", `CREATE UNIQUE INDEX "idx_a" ON "users" ("email")`},
		{"bare camelCase", `CREATE UNIQUE INDEX "idx_b" ON "_externalAuths" (collectionRef, recordRef, provider)`,
			`CREATE UNIQUE INDEX "idx_b" ON "_externalAuths" ("collectionRef", "recordRef", "provider")`},
		{"nocase", "CREATE UNIQUE INDEX `idx_c` ON `users` (`email` COLLATE NOCASE) WHERE `email` != ''",
			`CREATE UNIQUE INDEX "idx_c" ON "users" (lower("email")) WHERE "email" != ''`},
		{"brackets and sort", "CREATE INDEX IF NOT EXISTS [idx_d] ON [posts] ([created] DESC, title ASC)",
			`CREATE INDEX IF NOT EXISTS "idx_d" ON "posts" ("created" DESC, "title" ASC)`},
		{"binary collation dropped", "CREATE INDEX idx_e ON posts (title COLLATE BINARY)", `CREATE INDEX "idx_e" ON "posts" ("title")`},
		{"partial with literal", `CREATE INDEX idx_f ON posts (status) WHERE status = 'a b' AND isDone IS NOT TRUE`,
			`CREATE INDEX "idx_f" ON "posts" ("status") WHERE "status" = 'a b' AND "isDone" IS NOT TRUE`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := (Dialect{}).IndexSQL(tc.in); got != tc.want {
				t.Errorf("IndexSQL(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNumberPlaceholders(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "SELECT a FROM t WHERE a = ? AND b = ?", "SELECT a FROM t WHERE a = $1 AND b = $2"},
		{"in literal", "SELECT '?' || ? FROM t", "SELECT '?' || $1 FROM t"},
		{"doubled quote", "SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
		{"quoted ident", `SELECT "a?b" FROM t WHERE x = ?`, `SELECT "a?b" FROM t WHERE x = $1`},
		{"comment", "SELECT 1 -- why?\nWHERE a = ?", "SELECT 1 -- why?\nWHERE a = $1"},
		{"none", "SELECT $1", "SELECT $1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := numberPlaceholders(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestUniqueColumnsOfExpressionIndex(t *testing.T) {
	cases := map[string]string{`email`: "email", `lower((email)::text)`: "email", `"camelCase"`: "camelCase", `lower("userName")`: "userName"}
	for in, want := range cases {
		if got := columnOf(in); got != want {
			t.Errorf("columnOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzIndexSQL: any index definition a superuser submits translates
// without panicking, deterministically, and leaves no backtick outside a
// string literal or quoted name (PostgreSQL has none).
func FuzzIndexSQL(f *testing.F) {
	for _, s := range []string{"CREATE UNIQUE INDEX `idx` ON `t` (`a` COLLATE NOCASE)", "CREATE INDEX i ON t (a) WHERE b = 'x`y'", "`", "'", `"`, "[a", "CREATE INDEX i ON t (lower(a), b DESC)", "CREATE A a (a \"0`00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Dialect{}.IndexSQL(in)
		if again := (Dialect{}).IndexSQL(in); again != out {
			t.Fatalf("not deterministic: %q vs %q", out, again)
		}
		inStr := false
		for i := 0; i < len(out); i++ {
			switch out[i] {
			case '\'':
				inStr = !inStr
			case '"':
				if !inStr {
					end := indexByteFrom(out, '"', i+1)
					if end < 0 {
						return // the rest is inside an unterminated quoted name
					}
					i = end
				}
			case '`':
				if !inStr {
					t.Fatalf("backtick left in %q (from %q)", out, in)
				}
			}
		}
	})
}

func indexByteFrom(s string, c byte, from int) int {
	for i := from; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

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

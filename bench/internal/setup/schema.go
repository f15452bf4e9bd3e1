package setup

import (
	"fmt"
	"net/url"
)

// Collection names used by the benchmark dataset.
const (
	Users   = "users"
	Posts   = "posts"
	Members = "members"
	Uploads = "uploads"
)

// TagValues are the allowed values of posts.tags.
var TagValues = []string{"go", "db", "web", "perf", "news"}

// field is the JSON of one collection field as accepted by the collections API.
type field map[string]any

func textField(name string) field { return field{"name": name, "type": "text"} }

func postsFields() []field {
	return []field{
		textField("title"),
		textField("body"),
		{"name": "views", "type": "number"},
		{"name": "published", "type": "bool"},
		{"name": "author", "type": "relation", "collectionId": "", "maxSelect": 1, "cascadeDelete": false},
		{"name": "tags", "type": "select", "maxSelect": len(TagValues), "values": TagValues},
		{"name": "created", "type": "autodate", "onCreate": true, "onUpdate": false},
		{"name": "updated", "type": "autodate", "onCreate": true, "onUpdate": true},
	}
}

func membersFields() []field {
	return []field{
		{"name": "user", "type": "relation", "collectionId": "", "maxSelect": 1, "cascadeDelete": false},
		textField("role"),
		{"name": "created", "type": "autodate", "onCreate": true, "onUpdate": false},
	}
}

func uploadsFields() []field {
	return []field{
		textField("title"),
		{"name": "doc", "type": "file", "maxSelect": 1, "maxSize": 5 << 20},
		{"name": "created", "type": "autodate", "onCreate": true, "onUpdate": false},
	}
}

// withUsersRelation fills collectionId of relation fields with usersID.
func withUsersRelation(fs []field, usersID string) []field {
	for _, f := range fs {
		if f["type"] == "relation" {
			f["collectionId"] = usersID
		}
	}
	return fs
}

// spec describes one benchmark collection the setup ensures.
type spec struct {
	name    string
	fields  []field
	indexes []string
	rules   map[string]any
}

func publicRules() map[string]any {
	return map[string]any{"listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": nil}
}

func specs(usersID string) []spec {
	return []spec{
		{
			name:   Posts,
			fields: withUsersRelation(postsFields(), usersID),
			indexes: []string{
				"CREATE INDEX `idx_bench_posts_created` ON `posts` (`created`)",
				"CREATE INDEX `idx_bench_posts_author` ON `posts` (`author`)",
			},
			rules: publicRules(),
		},
		{
			name:    Members,
			fields:  withUsersRelation(membersFields(), usersID),
			indexes: []string{"CREATE INDEX `idx_bench_members_user` ON `members` (`user`)"},
			rules:   map[string]any{"listRule": "", "viewRule": "", "createRule": nil, "updateRule": nil, "deleteRule": nil},
		},
		{
			name:   Uploads,
			fields: uploadsFields(),
			rules:  publicRules(),
		},
	}
}

// PostData returns the deterministic body of the i-th seeded post.
func PostData(i int, authorID string) map[string]any {
	tags := []string{TagValues[i%len(TagValues)]}
	if i%3 == 0 {
		tags = append(tags, TagValues[(i+2)%len(TagValues)])
	}
	return map[string]any{
		"title":     fmt.Sprintf("Post number %d", i),
		"body":      fmt.Sprintf("Body of post %d. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.", i),
		"views":     (i * 7919) % 1000,
		"published": (i%7)%2 == 0,
		"author":    authorID,
		"tags":      tags,
	}
}

// UserEmail returns the e-mail of the i-th benchmark user.
func UserEmail(i int) string { return fmt.Sprintf("bench-user-%03d@example.com", i) }

// UserPassword is the password of every benchmark user.
const UserPassword = "bench-pass-123"

func escape(s string) string { return url.QueryEscape(s) }

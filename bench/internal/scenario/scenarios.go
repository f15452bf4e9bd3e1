package scenario

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/basalthq/basalt/bench/internal/client"
	"github.com/basalthq/basalt/bench/internal/setup"
	"github.com/basalthq/basalt/bench/internal/stats"
)

// ListFilter is the filter used by the list scenarios.
const ListFilter = "published=true && views>100"

// Scenario is one named benchmark.
type Scenario struct {
	// Name is the identifier used by -scenario and in reports.
	Name string
	// Doc says what the scenario does (shown by -list and in the README).
	Doc string
	// NeedsSU is true when the scenario needs the superuser API (rules,
	// collections), which the floor does not have.
	NeedsSU bool
	// Run executes the scenario and returns one or more summaries.
	Run func(ctx context.Context, env *Env) []stats.Summary
}

// All returns every scenario in the order "all" runs them: reads first, then
// update and mixed (which add few rows), then the create-heavy ones, so the
// reads see the seeded dataset.
func All() []Scenario {
	createAt := func(c int) Scenario {
		return Scenario{
			Name: fmt.Sprintf("create_c%d", c),
			Doc:  fmt.Sprintf("POST a post as a guest (public createRule), concurrency %d", c),
			Run: func(ctx context.Context, env *Env) []stats.Summary {
				return []stats.Summary{loop(ctx, env, fmt.Sprintf("create_c%d", c), c, createPost(env.Anon, env))}
			},
		}
	}
	return []Scenario{
		{Name: "view", Doc: "GET one post by random id as a guest", Run: single("view", 16, viewOp)},
		{Name: "list", Doc: "GET posts, perPage=30, filter=" + ListFilter + ", sort=-created, with totals", Run: single("list", 16, listOp(false, ""))},
		{Name: "list_skiptotal", Doc: "same as list with skipTotal=1", Run: single("list_skiptotal", 16, listOp(true, ""))},
		{Name: "list_expand", Doc: "same as list with expand=author", Run: single("list_expand", 16, listOp(false, "author"))},
		{Name: "list_auth", Doc: "same as list, as a normal user, with listRule `author = @request.auth.id`", NeedsSU: true, Run: listAuth},
		{Name: "update", Doc: "PATCH views of a random post as a guest (public updateRule), concurrency 32", Run: single("update", 32, updateOp)},
		{Name: "mixed", Doc: "80% reads (half view, half list), 15% create, 5% update, concurrency 32", Run: single("mixed", 32, mixedOp)},
		createAt(1), createAt(8), createAt(32), createAt(64),
		{Name: "create_rule", Doc: "POST a post as a user with createRule `@collection.members.user ?= @request.auth.id`, concurrency 32", NeedsSU: true, Run: createRule},
		{Name: "auth", Doc: "POST users/auth-with-password for a random user, concurrency 8", Run: single("auth", 8, authOp)},
		{Name: "upload", Doc: "multipart POST of a 100 KB file into uploads, concurrency 8", Run: single("upload", 8, uploadOp)},
		{Name: "realtime", Doc: "K SSE subscribers to posts/*, one writer at 20 creates/s (and 100/s for -realtime-fast-k): delivered/expected, latency, RSS per idle subscriber", Run: realtime},
	}
}

// Select returns the scenarios named in spec (comma list, "all", or the
// group "create" for all create_cN).
func Select(spec string) ([]Scenario, error) {
	all := All()
	if spec == "" || spec == "all" {
		return all, nil
	}
	var out []Scenario
	for _, name := range strings.Split(spec, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, s := range all {
			if s.Name == name || (name == "create" && strings.HasPrefix(s.Name, "create_c")) {
				out = append(out, s)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown scenario %q", name)
		}
	}
	return out, nil
}

type opFactory func(env *Env) Op

func single(name string, defConc int, f opFactory) func(context.Context, *Env) []stats.Summary {
	return func(ctx context.Context, env *Env) []stats.Summary {
		return []stats.Summary{loop(ctx, env, name, env.conc(defConc), f(env))}
	}
}

// loop runs op under env's limits and adds the CPU time the server and
// the load generator spent per request (see CPUPerRequest).
func loop(ctx context.Context, env *Env, name string, conc int, op Op) stats.Summary {
	srv0, srvErr := ProcessCPU(env.PID)
	self0, selfErr := SelfCPU()
	s := Loop(ctx, name, Limits{Duration: env.Duration, Concurrency: conc}, op)
	srv1, srvErr1 := ProcessCPU(env.PID)
	self1, selfErr1 := SelfCPU()
	if env.PID > 0 && srvErr == nil && srvErr1 == nil {
		CPUPerRequest(&s, stats.ServerCPUKey, srv1-srv0)
	}
	if selfErr == nil && selfErr1 == nil {
		CPUPerRequest(&s, stats.LoadgenCPUKey, self1-self0)
	}
	return s
}

func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

func viewOp(env *Env) Op {
	return func(ctx context.Context, _ int, rng *rand.Rand) error {
		body, err := env.Anon.Raw(ctx, http.MethodGet, "/api/collections/posts/records/"+pick(rng, env.PostIDs), nil, "")
		if err == nil && !bytes.Contains(body, []byte(`"title"`)) {
			err = fmt.Errorf("view: unexpected body %.100s", body)
		}
		return err
	}
}

// ListQuery returns the list scenarios' query string.
func ListQuery(skipTotal bool, expand string) string {
	q := url.Values{}
	q.Set("perPage", "30")
	q.Set("filter", ListFilter)
	q.Set("sort", "-created")
	if skipTotal {
		q.Set("skipTotal", "1")
	}
	if expand != "" {
		q.Set("expand", expand)
	}
	return "/api/collections/posts/records?" + q.Encode()
}

func listWith(c func(worker int) *client.Client, path string, wantExpand bool) Op {
	return func(ctx context.Context, worker int, _ *rand.Rand) error {
		body, err := c(worker).Raw(ctx, http.MethodGet, path, nil, "")
		if err != nil {
			return err
		}
		if !bytes.Contains(body, []byte(`"items":[{`)) {
			return fmt.Errorf("list: no items in %.100s", body)
		}
		if wantExpand && !bytes.Contains(body, []byte(`"expand":{"author":{`)) {
			return fmt.Errorf("list: author not expanded in %.200s", body)
		}
		return nil
	}
}

func listOp(skipTotal bool, expand string) opFactory {
	return func(env *Env) Op {
		return listWith(func(int) *client.Client { return env.Anon }, ListQuery(skipTotal, expand), expand != "")
	}
}

// userClients authenticates up to n users and returns their clients.
func userClients(ctx context.Context, env *Env, n int) ([]*client.Client, error) {
	n = min(n, len(env.UserEmails))
	out := make([]*client.Client, n)
	for i := range n {
		res, err := env.Anon.AuthWithPassword(ctx, setup.Users, env.UserEmails[i], env.Password)
		if err != nil {
			return nil, err
		}
		out[i] = env.Anon.WithToken(res.Token)
	}
	return out, nil
}

// withRule sets one rule of posts for the duration of fn and restores it.
func withRule(ctx context.Context, env *Env, rule, value string, fn func() stats.Summary) stats.Summary {
	path := "/api/collections/" + setup.Posts
	if err := env.SU.Do(ctx, http.MethodPatch, path, map[string]any{rule: value}, nil); err != nil {
		return invalid("", fmt.Errorf("set %s: %w", rule, err))
	}
	defer func() {
		if err := env.SU.Do(context.WithoutCancel(ctx), http.MethodPatch, path, map[string]any{rule: ""}, nil); err != nil {
			env.Log("restore %s: %v", rule, err)
		}
	}()
	return fn()
}

func listAuth(ctx context.Context, env *Env) []stats.Summary {
	if env.SU == nil {
		return []stats.Summary{invalid("list_auth", errNeedsSetup)}
	}
	users, err := userClients(ctx, env, 16)
	if err != nil {
		return []stats.Summary{invalid("list_auth", err)}
	}
	s := withRule(ctx, env, "listRule", "author = @request.auth.id", func() stats.Summary {
		op := listWith(func(w int) *client.Client { return users[w%len(users)] }, ListQuery(false, ""), false)
		return loop(ctx, env, "list_auth", env.conc(16), op)
	})
	s.Scenario = "list_auth"
	return []stats.Summary{s}
}

func createPost(c *client.Client, env *Env) Op {
	return func(ctx context.Context, _ int, rng *rand.Rand) error {
		return createOne(ctx, c, env, rng)
	}
}

func createOne(ctx context.Context, c *client.Client, env *Env, rng *rand.Rand) error {
	i := rng.IntN(1_000_000)
	body, _ := json.Marshal(setup.PostData(i, pick(rng, env.UserIDs)))
	resp, err := c.Raw(ctx, http.MethodPost, "/api/collections/posts/records", body, "application/json")
	if err == nil && !bytes.Contains(resp, []byte(`"id":"`)) {
		err = fmt.Errorf("create: unexpected body %.100s", resp)
	}
	return err
}

func createRule(ctx context.Context, env *Env) []stats.Summary {
	if env.SU == nil {
		return []stats.Summary{invalid("create_rule", errNeedsSetup)}
	}
	users, err := userClients(ctx, env, 16)
	if err != nil {
		return []stats.Summary{invalid("create_rule", err)}
	}
	s := withRule(ctx, env, "createRule", "@collection.members.user ?= @request.auth.id", func() stats.Summary {
		op := func(ctx context.Context, w int, rng *rand.Rand) error {
			return createOne(ctx, users[w%len(users)], env, rng)
		}
		return loop(ctx, env, "create_rule", env.conc(32), op)
	})
	s.Scenario = "create_rule"
	return []stats.Summary{s}
}

func updateOp(env *Env) Op {
	return func(ctx context.Context, _ int, rng *rand.Rand) error {
		return updateOne(ctx, env, rng)
	}
}

func updateOne(ctx context.Context, env *Env, rng *rand.Rand) error {
	body := fmt.Appendf(nil, `{"views":%d}`, rng.IntN(1000))
	_, err := env.Anon.Raw(ctx, http.MethodPatch, "/api/collections/posts/records/"+pick(rng, env.PostIDs), body, "application/json")
	return err
}

func mixedOp(env *Env) Op {
	view, list := viewOp(env), listOp(false, "")(env)
	return func(ctx context.Context, w int, rng *rand.Rand) error {
		switch r := rng.IntN(100); {
		case r < 40:
			return view(ctx, w, rng)
		case r < 80:
			return list(ctx, w, rng)
		case r < 95:
			return createOne(ctx, env.Anon, env, rng)
		default:
			return updateOne(ctx, env, rng)
		}
	}
}

func authOp(env *Env) Op {
	return func(ctx context.Context, _ int, rng *rand.Rand) error {
		_, err := env.Anon.AuthWithPassword(ctx, setup.Users, pick(rng, env.UserEmails), env.Password)
		return err
	}
}

// UploadSize is the size of the uploaded file.
const UploadSize = 100 << 10

func uploadOp(env *Env) Op {
	payload := bytes.Repeat([]byte("0123456789abcdef"), UploadSize/16)
	return func(ctx context.Context, _ int, rng *rand.Rand) error {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("title", fmt.Sprintf("upload %d", rng.IntN(1_000_000)))
		fw, err := mw.CreateFormFile("doc", "doc.txt")
		if err != nil {
			return err
		}
		_, _ = fw.Write(payload)
		_ = mw.Close()
		resp, err := env.Anon.Raw(ctx, http.MethodPost, "/api/collections/uploads/records", buf.Bytes(), mw.FormDataContentType())
		if err == nil && !bytes.Contains(resp, []byte(`"doc":"doc_`)) {
			err = fmt.Errorf("upload: file not stored: %.150s", resp)
		}
		return err
	}
}

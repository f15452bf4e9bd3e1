package core

import (
	"strings"
	"testing"
)

func noop(e *RequestEvent) error { return e.Next() }

func mw(id string, priority int) *Middleware {
	return &Middleware{Id: id, Priority: priority, Func: noop}
}

// TestRouterRoutes checks how groups, ids, priorities and Unbind flatten
// into each route's chain.
func TestRouterRoutes(t *testing.T) {
	action := func(e *RequestEvent) error { return nil }
	cases := []struct {
		name  string
		build func(r *Router)
		want  string // "METHOD path: ids" per route, "; "-joined
	}{
		{name: "prefixes join with one slash", build: func(r *Router) {
			r.Group("/api/").Group("/x").GET("/y", action)
			r.Group("/api").GET("", action)
		}, want: "GET /api/x/y: ; GET /api: "},
		{name: "group middlewares run before route ones at equal priority", build: func(r *Router) {
			g := r.Group("/g").Bind(mw("g1", 0))
			g.GET("/a", action).Bind(mw("r1", 0))
		}, want: "GET /g/a: g1,r1"},
		{name: "priority beats binding order", build: func(r *Router) {
			g := r.Group("/g").Bind(mw("g1", 5))
			g.GET("/a", action).Bind(mw("r1", -5))
		}, want: "GET /g/a: r1,g1"},
		{name: "same id replaces in place", build: func(r *Router) {
			r.GET("/a", action).Bind(mw("x", 0), mw("y", 0), &Middleware{Id: "x", Priority: 0, Func: noop})
		}, want: "GET /a: x,y"},
		{name: "route id overrides the inherited one", build: func(r *Router) {
			g := r.Group("/g").Bind(mw("x", 0), mw("z", 0))
			g.GET("/a", action).Bind(mw("x", -1))
		}, want: "GET /g/a: x,z"},
		{name: "unbind on a route excludes the inherited id, rebind restores", build: func(r *Router) {
			g := r.Group("/g").Bind(mw("x", 0), mw("z", 0))
			g.GET("/a", action).Unbind("x")
			g.GET("/b", action).Unbind("x").Bind(mw("x", 9))
		}, want: "GET /g/a: z; GET /g/b: z,x"},
		{name: "unbind on a sub-group", build: func(r *Router) {
			g := r.Group("/g").Bind(mw("x", 0))
			g.Group("/s").Unbind("x").GET("/a", action)
			g.GET("/b", action)
		}, want: "GET /g/s/a: ; GET /g/b: x"},
		{name: "Add and Any", build: func(r *Router) {
			r.Add("patch", "/p", action)
			r.Any("/any", action)
		}, want: "PATCH /p: ; GET /any: ; POST /any: ; PUT /any: ; PATCH /any: ; DELETE /any: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRouter()
			tc.build(r)
			var got []string
			for _, rc := range r.Routes() {
				got = append(got, rc.Method+" "+rc.Path+": "+strings.Join(rc.MiddlewareIds, ","))
				if !strings.Contains(rc.Source, "router_test.go:") {
					t.Errorf("source %q does not name the registration", rc.Source)
				}
			}
			if g := strings.Join(got, "; "); g != tc.want {
				t.Fatalf("got  %q\nwant %q", g, tc.want)
			}
		})
	}
}

// TestRouteChainRun checks which middleware a stopped chain names.
func TestRouteChainRun(t *testing.T) {
	stop := func(e *RequestEvent) error { return nil }
	ran := false
	r := NewRouter()
	r.GET("/a", func(e *RequestEvent) error { ran = true; return nil }).
		Bind(mw("first", 0), &Middleware{Id: "stopper", Priority: 1, Func: stop}, mw("after", 2))
	r.GET("/b", func(e *RequestEvent) error { ran = true; return nil }).Bind(mw("first", 0))
	routes := r.Routes()
	cases := []struct {
		name    string
		rc      *RouteChain
		stopped string
		ran     bool
	}{
		{name: "stopped in the middle", rc: routes[0], stopped: "stopper", ran: false},
		{name: "full chain", rc: routes[1], stopped: "", ran: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ran = false
			got, err := tc.rc.Run(&RequestEvent{})
			if err != nil || got != tc.stopped || ran != tc.ran {
				t.Fatalf("stoppedBy %q ran %v err %v; want %q %v", got, ran, err, tc.stopped, tc.ran)
			}
		})
	}
}

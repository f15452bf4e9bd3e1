package core

import (
	"cmp"
	"fmt"
	"net/http"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/basalthq/basalt/core/hook"
)

// Middleware is one link of a route's chain: it runs before the route's
// action and continues the chain by calling e.Next(). Id names it for
// Unbind; lower Priority runs first, equal priorities keep binding order.
type Middleware = hook.Handler[*RequestEvent]

// Router describes the custom routes OnServe handlers add, in Basalt's
// neutral types (DESIGN §3: no HTTP framework in core). internal/api mounts
// it once, after OnServe, next to the built-in routes. Its API follows
// PocketBase's router, so ported code such as
// se.Router.GET("/x", h).Bind(core.RequireAuth()) keeps its shape.
type Router struct {
	RouterGroup
}

// NewRouter returns an empty router rooted at "/".
func NewRouter() *Router { return &Router{} }

// RouterGroup is a path prefix with its own middlewares; routes and
// sub-groups added to it inherit both.
type RouterGroup struct {
	// Prefix is prepended to the paths of the group's routes.
	Prefix string

	middlewares []*Middleware
	excluded    []string
	children    []any // *Route or *RouterGroup, in registration order
}

// Route is one custom route: method, path, action and its own middlewares.
type Route struct {
	// Method is the HTTP method ("" is not allowed; use Any for all).
	Method string
	// Path is the route's path below its group's prefix. Paths use {name}
	// parameters and a trailing {name...} wildcard.
	Path string
	// Action is the handler that answers the request.
	Action func(e *RequestEvent) error
	// Source is the file:line of the registration, used to name the route
	// in duplicate-route panics and in log lines.
	Source string

	middlewares []*Middleware
	excluded    []string
}

// callerSource returns the file:line skip frames above its caller, with the
// file shortened to its last two path elements.
func callerSource(skip int) string {
	_, file, line, ok := runtime.Caller(skip + 1)
	if !ok {
		return "unknown"
	}
	dir, base := path.Split(file)
	return fmt.Sprintf("%s:%d", path.Join(path.Base(dir), base), line)
}

// Group adds a sub-group whose routes' paths start with prefix.
func (g *RouterGroup) Group(prefix string) *RouterGroup {
	child := &RouterGroup{Prefix: prefix}
	g.children = append(g.children, child)
	return child
}

// Route adds a route for method and path.
func (g *RouterGroup) Route(method, path string, action func(e *RequestEvent) error) *Route {
	return g.route(method, path, action, 2)
}

func (g *RouterGroup) route(method, path string, action func(e *RequestEvent) error, skip int) *Route {
	if action == nil {
		panic(fmt.Sprintf("router: %s %s has a nil action (%s)", method, path, callerSource(skip)))
	}
	r := &Route{Method: strings.ToUpper(method), Path: path, Action: action, Source: callerSource(skip)}
	g.children = append(g.children, r)
	return r
}

// Add registers handler for method and path; it is Route under the name
// Basalt's first hooks used.
func (g *RouterGroup) Add(method, path string, handler func(e *RequestEvent) error) *Route {
	return g.route(method, path, handler, 2)
}

// GET adds a GET route (which also answers HEAD).
func (g *RouterGroup) GET(path string, action func(e *RequestEvent) error) *Route {
	return g.route(http.MethodGet, path, action, 2)
}

// POST adds a POST route.
func (g *RouterGroup) POST(path string, action func(e *RequestEvent) error) *Route {
	return g.route(http.MethodPost, path, action, 2)
}

// PUT adds a PUT route.
func (g *RouterGroup) PUT(path string, action func(e *RequestEvent) error) *Route {
	return g.route(http.MethodPut, path, action, 2)
}

// PATCH adds a PATCH route.
func (g *RouterGroup) PATCH(path string, action func(e *RequestEvent) error) *Route {
	return g.route(http.MethodPatch, path, action, 2)
}

// DELETE adds a DELETE route.
func (g *RouterGroup) DELETE(path string, action func(e *RequestEvent) error) *Route {
	return g.route(http.MethodDelete, path, action, 2)
}

// OPTIONS adds an OPTIONS route.
func (g *RouterGroup) OPTIONS(path string, action func(e *RequestEvent) error) *Route {
	return g.route(http.MethodOptions, path, action, 2)
}

// Any adds one route per common method (GET, POST, PUT, PATCH, DELETE)
// and returns them; Bind on each, or bind on a group.
func (g *RouterGroup) Any(path string, action func(e *RequestEvent) error) []*Route {
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	out := make([]*Route, len(methods))
	for i, m := range methods {
		out[i] = g.route(m, path, action, 2)
	}
	return out
}

// Bind adds middlewares to the group; a middleware whose Id is already
// bound to the group replaces it.
func (g *RouterGroup) Bind(middlewares ...*Middleware) *RouterGroup {
	g.excluded = slices.DeleteFunc(g.excluded, func(id string) bool { return hasId(middlewares, id) })
	g.middlewares = bindMiddlewares(g.middlewares, middlewares)
	return g
}

// BindFunc adds middleware functions with generated ids and priority 0.
func (g *RouterGroup) BindFunc(fns ...func(e *RequestEvent) error) *RouterGroup {
	return g.Bind(funcsToMiddlewares(fns)...)
}

// Unbind removes the middlewares with the given ids from the group and
// excludes inherited ones with those ids from the group's routes.
func (g *RouterGroup) Unbind(ids ...string) *RouterGroup {
	g.middlewares = slices.DeleteFunc(g.middlewares, func(m *Middleware) bool { return slices.Contains(ids, m.Id) })
	g.excluded = append(g.excluded, ids...)
	return g
}

// Bind adds middlewares to the route; a middleware whose Id is already
// bound to the route replaces it.
func (r *Route) Bind(middlewares ...*Middleware) *Route {
	r.excluded = slices.DeleteFunc(r.excluded, func(id string) bool { return hasId(middlewares, id) })
	r.middlewares = bindMiddlewares(r.middlewares, middlewares)
	return r
}

// BindFunc adds middleware functions with generated ids and priority 0.
func (r *Route) BindFunc(fns ...func(e *RequestEvent) error) *Route {
	return r.Bind(funcsToMiddlewares(fns)...)
}

// Unbind removes the middlewares with the given ids from the route,
// including ones it would inherit from its groups.
func (r *Route) Unbind(ids ...string) *Route {
	r.middlewares = slices.DeleteFunc(r.middlewares, func(m *Middleware) bool { return slices.Contains(ids, m.Id) })
	r.excluded = append(r.excluded, ids...)
	return r
}

var middlewareSeq atomic.Uint64

func hasId(list []*Middleware, id string) bool {
	return slices.ContainsFunc(list, func(m *Middleware) bool { return m != nil && m.Id == id })
}

func bindMiddlewares(list, add []*Middleware) []*Middleware {
	for _, m := range add {
		if m == nil || m.Func == nil {
			panic(fmt.Sprintf("router: nil middleware bound at %s", callerSource(2)))
		}
		cp := *m
		if cp.Id == "" {
			cp.Id = fmt.Sprintf("@mw%d", middlewareSeq.Add(1))
		}
		if i := slices.IndexFunc(list, func(x *Middleware) bool { return x.Id == cp.Id }); i >= 0 {
			list[i] = &cp
			continue
		}
		list = append(list, &cp)
	}
	return list
}

func funcsToMiddlewares(fns []func(e *RequestEvent) error) []*Middleware {
	out := make([]*Middleware, len(fns))
	for i, fn := range fns {
		out[i] = &Middleware{Func: fn}
	}
	return out
}

// RouteChain is a route ready to mount: its full path and its middlewares
// (inherited ones first, minus unbound ids) ordered by priority.
type RouteChain struct {
	Method string
	// Path is the full path, group prefixes joined.
	Path string
	// Source is the registration's file:line.
	Source string
	// MiddlewareIds lists the chain's middlewares in run order.
	MiddlewareIds []string

	chain  *hook.Hook[*RequestEvent]
	action func(e *RequestEvent) error
	size   int
}

// Name is "METHOD /path (file:line)", the route's name in panics and logs.
func (c *RouteChain) Name() string { return fmt.Sprintf("%s %s (%s)", c.Method, c.Path, c.Source) }

// Routes flattens the router into mountable chains in registration order.
func (r *Router) Routes() []*RouteChain {
	var out []*RouteChain
	r.RouterGroup.collect("", nil, &out)
	return out
}

func (g *RouterGroup) collect(prefix string, inherited []*Middleware, out *[]*RouteChain) {
	prefix = joinPath(prefix, g.Prefix)
	mws := mergeMiddlewares(inherited, g.excluded, g.middlewares)
	for _, child := range g.children {
		switch c := child.(type) {
		case *RouterGroup:
			c.collect(prefix, mws, out)
		case *Route:
			*out = append(*out, c.chain(joinPath(prefix, c.Path), mws))
		}
	}
}

// mergeMiddlewares drops the inherited middlewares whose ids were unbound
// and adds own ones; an own middleware replaces an inherited one with the
// same id.
func mergeMiddlewares(inherited []*Middleware, excluded []string, own []*Middleware) []*Middleware {
	out := make([]*Middleware, 0, len(inherited)+len(own))
	for _, m := range inherited {
		if !slices.Contains(excluded, m.Id) {
			out = append(out, m)
		}
	}
	return bindMiddlewares(out, own)
}

func (r *Route) chain(full string, inherited []*Middleware) *RouteChain {
	all := mergeMiddlewares(inherited, r.excluded, r.middlewares)
	// Stable sort: equal priorities keep the outer-to-inner binding order.
	slices.SortStableFunc(all, func(a, b *Middleware) int { return cmp.Compare(a.Priority, b.Priority) })
	rc := &RouteChain{Method: r.Method, Path: full, Source: r.Source, action: r.Action, size: len(all)}
	rc.chain = &hook.Hook[*RequestEvent]{}
	for i, m := range all {
		rc.MiddlewareIds = append(rc.MiddlewareIds, m.Id)
		fn, depth := m.Func, int32(i+1)
		// The wrapper records how deep the request got, so a chain that
		// stops early can name the middleware that did not call e.Next().
		rc.chain.Bind(&Middleware{Id: fmt.Sprintf("%d:%s", i, m.Id), Priority: i, Func: func(e *RequestEvent) error {
			e.routeDepth = depth
			return fn(e)
		}})
	}
	return rc
}

// Run runs the chain for e: the middlewares by priority, then the action.
// stoppedBy is the id of the middleware that returned without calling
// e.Next() (the action never ran), or "" when the action ran.
func (c *RouteChain) Run(e *RequestEvent) (stoppedBy string, err error) {
	e.routeDepth = 0
	err = c.chain.Trigger(e, func(e *RequestEvent) error {
		e.routeDepth = int32(c.size + 1)
		return c.action(e)
	})
	if d := int(e.routeDepth); d > 0 && d <= c.size {
		return c.MiddlewareIds[d-1], err
	}
	return "", err
}

func joinPath(prefix, p string) string {
	if prefix == "" {
		if p == "" {
			return "/"
		}
		return p
	}
	if p == "" {
		return prefix
	}
	return strings.TrimSuffix(prefix, "/") + "/" + strings.TrimPrefix(p, "/")
}

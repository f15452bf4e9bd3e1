package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/filter"
)

// The rules workbench lives under /api/_basalt/: PocketBase has no
// "_basalt" segment under /api, and its own routes never start with an
// underscore, so a future PocketBase route cannot collide with these.
const workbenchPrefix = "/api/_basalt/rules"

// Bounds of a test-as-user request: the page size cap and the time every
// query of one request may take together.
const (
	workbenchMaxPerPage = 100
	workbenchTimeout    = 5 * time.Second
	// workbenchMaxClauses caps the sub-expressions evaluated one by one
	// for a record (each is one indexed query by id).
	workbenchMaxClauses = 64
)

// registerRulesWorkbench registers the dashboard's rules tools,
// superusers only: the linter and "test as user".
func (s *Server) registerRulesWorkbench() {
	g := s.echo.Group(workbenchPrefix, requireSuperuser)
	g.GET("/lint", s.lintRules)
	g.POST("/test", s.testRule)
}

// lintRules answers {"largeTable": n, "findings": [...]} for every
// collection's rules. ?largeTable=n sets the row count from which a list
// rule on an unindexed field is flagged (default 10,000).
func (s *Server) lintRules(c *echo.Context) error {
	large := defaultLargeTable
	if v := c.QueryParam("largeTable"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return badRequest("", map[string]any{"largeTable": core.NewFieldError("validation_invalid_value", "Must be a positive whole number.", nil)})
		}
		large = n
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), workbenchTimeout)
	defer cancel()
	l := &ruleLinter{ctx: ctx, store: s.app.Store(), largeTable: large, large: map[string]bool{},
		find: func(nameOrId string) *core.Collection {
			col, err := s.app.FindCollectionByNameOrId(nameOrId)
			if err != nil {
				return nil
			}
			return col
		}}
	return respond(c, http.StatusOK, map[string]any{"largeTable": large, "findings": l.lint(s.app.Collections())})
}

// ruleTestRequest is the body of POST /api/_basalt/rules/test.
type ruleTestRequest struct {
	Collection     string `json:"collection"`
	Rule           string `json:"rule"` // list, view, update, delete or manage ("listRule" too)
	AuthCollection string `json:"authCollection"`
	AuthId         string `json:"authId"`
	Guest          bool   `json:"guest"`
	RecordId       string `json:"recordId"`
	Page           int    `json:"page"`
	PerPage        int    `json:"perPage"`
}

// clauseResult is one node of a rule evaluated alone for one record.
// Decisive marks the nodes that settled the outcome: the first failing
// child of a failing AND, the first passing child of a passing OR, every
// child otherwise.
type clauseResult struct {
	Expr     string          `json:"expr"`
	Op       string          `json:"op,omitempty"`
	Pass     bool            `json:"pass"`
	Decisive bool            `json:"decisive"`
	Children []*clauseResult `json:"children,omitempty"`
}

// ruleTestRecord is the verdict for the one record asked about.
type ruleTestRecord struct {
	Id      string        `json:"id"`
	Passes  bool          `json:"passes"`
	Clauses *clauseResult `json:"clauses"`
}

// ruleTestResult is the answer of POST /api/_basalt/rules/test: the
// records that pass on the requested page and, with recordId, the verdict
// for that record clause by clause.
type ruleTestResult struct {
	Collection string          `json:"collection"`
	Rule       string          `json:"rule"`
	Expression *string         `json:"expression"`
	Access     string          `json:"access"` // superuser, locked, public or expression
	Page       int             `json:"page"`
	PerPage    int             `json:"perPage"`
	TotalItems int             `json:"totalItems"`
	TotalPages int             `json:"totalPages"`
	Items      []*core.Record  `json:"items"`
	Record     *ruleTestRecord `json:"record,omitempty"`
}

// ruleMethods is the HTTP method whose request a rule guards, as @request.method sees it.
var ruleMethods = map[string]string{"list": "GET", "view": "GET", "update": "PATCH", "delete": "DELETE", "manage": "PATCH"}

// testRule evaluates one rule of a collection as a given user (or guest,
// or superuser) through the same store query the records API runs, so the
// records it lists are the ones that user gets. The request carries no
// query parameters, headers or body fields: @request.query/headers/body
// are empty, as for a bare SDK call.
func (s *Server) testRule(c *echo.Context) error {
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	var in ruleTestRequest
	if err := json.Unmarshal(raw, &in); err != nil {
		return badRequest("Failed to read the request body.", nil)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), workbenchTimeout)
	defer cancel()

	verrs := core.ValidationErrors{}
	col, err := s.app.FindCollectionByNameOrId(in.Collection)
	if err != nil {
		verrs["collection"] = core.NewFieldError("validation_invalid_value", "Unknown collection.", nil)
	}
	kind := strings.TrimSuffix(in.Rule, "Rule")
	method, ok := ruleMethods[kind]
	switch {
	case kind == "create":
		verrs["rule"] = core.NewFieldError("validation_invalid_value", "A create rule is checked against the submitted record; it cannot be tested against stored ones.", nil)
	case !ok:
		verrs["rule"] = core.NewFieldError("validation_invalid_value", "Must be list, view, update, delete or manage.", nil)
	case kind == "manage" && col != nil && !col.IsAuth():
		verrs["rule"] = core.NewFieldError("validation_invalid_value", "Only auth collections have a manage rule.", nil)
	}
	var who *core.Record
	if !in.Guest {
		ac, err := s.app.FindCollectionByNameOrId(in.AuthCollection)
		switch {
		case err != nil || !ac.IsAuth():
			verrs["authCollection"] = core.NewFieldError("validation_invalid_value", "Must be an auth collection (or set guest).", nil)
		case in.AuthId == "":
			verrs["authId"] = core.NewFieldError("validation_required", "Cannot be blank (or set guest).", nil)
		default:
			if who, err = s.app.FindRecordById(ctx, ac.Id, in.AuthId); err != nil {
				verrs["authId"] = core.NewFieldError("validation_invalid_value", "No such record.", nil)
			}
		}
	}
	if in.Page < 0 || in.PerPage < 0 {
		verrs["page"] = core.NewFieldError("validation_invalid_value", "Must not be negative.", nil)
	}
	var target *core.Record
	if col != nil && in.RecordId != "" {
		if target, err = s.app.FindRecordById(ctx, col.Id, in.RecordId); err != nil {
			verrs["recordId"] = core.NewFieldError("validation_invalid_value", "No such record in the collection.", nil)
		}
	}
	if len(verrs) > 0 {
		return verrs
	}

	res := &ruleTestResult{Collection: col.Name, Rule: kind + "Rule", Page: max(in.Page, 1), PerPage: in.PerPage, Items: []*core.Record{}}
	if res.PerPage == 0 {
		res.PerPage = 20
	}
	res.PerPage = min(res.PerPage, workbenchMaxPerPage)
	for _, r := range collectionRules(col) {
		if r.key == res.Rule {
			res.Expression = r.rule
		}
	}
	ri := &core.RequestInfo{Auth: who, Method: method, Context: core.ContextDefault, Query: map[string]string{}, Headers: map[string]string{}}
	if kind == "update" || kind == "manage" {
		ri.Body = map[string]any{}
	}
	su := ri.IsSuperuser()
	var expr filter.Expr
	switch {
	case su:
		res.Access = "superuser"
	case res.Expression == nil:
		res.Access = "locked"
	case strings.TrimSpace(*res.Expression) == "":
		res.Access = "public"
	default:
		res.Access = "expression"
		if expr, err = core.ParseRule(*res.Expression); err != nil {
			return badRequest("The rule does not parse.", map[string]any{"rule": core.NewFieldError("validation_invalid_rule", err.Error(), nil)})
		}
	}
	// The manage rule never grants anything to guests: the API checks it
	// only for an authenticated caller.
	denied := res.Access == "locked" || (kind == "manage" && who == nil)
	if !denied {
		q := &core.RecordQuery{Collection: col, Page: res.Page, PerPage: res.PerPage, Count: true, Request: ri, Superuser: su}
		if expr != nil {
			q.Filters = []core.FilterClause{{Expr: expr}}
		}
		out, err := s.app.Store().Query(ctx, q)
		if err != nil {
			return badRequest("The rule could not be evaluated.", nil).(*core.Error).WithCause(err)
		}
		for _, r := range out.Records {
			r.Unhide(true)
			r.ShowEmail(true)
		}
		if out.Records != nil {
			res.Items = out.Records
		}
		res.TotalItems = out.Total
		res.TotalPages = (out.Total + res.PerPage - 1) / res.PerPage
	}
	if target != nil {
		rec := &ruleTestRecord{Id: target.Id(), Passes: !denied}
		if expr != nil && !denied {
			budget := workbenchMaxClauses
			rec.Clauses, err = s.evalClauses(ctx, col, target.Id(), ri, expr, &budget)
			if err != nil {
				return badRequest("The rule could not be evaluated.", nil).(*core.Error).WithCause(err)
			}
			markDecisive(rec.Clauses)
			rec.Passes = rec.Clauses.Pass
		}
		res.Record = rec
	}
	return respond(c, http.StatusOK, res)
}

// evalClauses evaluates e and, within budget, each of its sub-expressions
// alone against the record id, each through the store's rule → SQL
// translation. A sub-expression is evaluated in its own query, so
// @collection joins shared between siblings are not shared there; the
// root's verdict is always the whole rule's.
func (s *Server) evalClauses(ctx context.Context, col *core.Collection, id string, ri *core.RequestInfo, e filter.Expr, budget *int) (*clauseResult, error) {
	*budget--
	out, err := s.app.Store().Query(ctx, &core.RecordQuery{Collection: col, Ids: []string{id},
		Filters: []core.FilterClause{{Expr: e}}, Request: ri, Count: true, PerPage: 1, Page: 2})
	if err != nil {
		return nil, err
	}
	node := &clauseResult{Expr: e.String(), Pass: out.Total > 0}
	if l, ok := e.(*filter.Logical); ok {
		node.Op = l.Op.String()
		for _, x := range l.Exprs {
			if *budget <= 0 {
				break
			}
			child, err := s.evalClauses(ctx, col, id, ri, x, budget)
			if err != nil {
				return nil, err
			}
			node.Children = append(node.Children, child)
		}
	}
	return node, nil
}

// markDecisive flags the nodes that settled n's outcome (see
// clauseResult).
func markDecisive(n *clauseResult) {
	n.Decisive = true
	var walk func(n *clauseResult)
	walk = func(n *clauseResult) {
		if len(n.Children) == 0 {
			return
		}
		// A failing AND and a passing OR are settled by their first
		// child with the same outcome; otherwise every child counted.
		short := (n.Op == "&&" && !n.Pass) || (n.Op == "||" && n.Pass)
		for _, ch := range n.Children {
			if short && ch.Pass != n.Pass {
				continue
			}
			ch.Decisive = true
			walk(ch)
			if short {
				break
			}
		}
	}
	walk(n)
}

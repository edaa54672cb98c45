package processor

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// i2dLines is a compiled lines parser: its rules' rows are concatenated.
type i2dLines struct {
	rules   []i2dLineRule
	columns []string // named groups of the line patterns, in order
}

// i2dLineRule is one set of start, end and line patterns.
type i2dLineRule struct {
	start, end, sep         *regexp.Regexp
	endLast                 bool
	first, line, last, skip []*regexp.Regexp
	types                   map[string]string
}

// i2dTable is one block of the tables plugin.
type i2dTable struct {
	start, end, body, sep *regexp.Regexp
	types                 map[string]string // types and fields.<name>.type
	groups                map[string]string // fields.<name>.group
	columns               []string
}

// i2dTypes are the value types of the type and types settings.
var i2dTypes = []string{"int", "float", "date", "datetime"}

// i2dGroups are the values of the group setting.
var i2dGroups = []string{"sum", "min", "max", "first", "last", "join"}

// lineKeys are the settings of a lines parser this package runs;
// unsupportedLineKeys those it refuses rather than ignores.
var (
	lineKeys            = []string{"start", "end", "end_match", "line", "first_line", "last_line", "skip_line", "types", "line_separator"}
	unsupportedLineKeys = []string{"alternatives", "append_on_line", "no_newline_fields", "replace", "static", "defaults"}
)

// compileFields compiles the fields mapping in order.
func (c *i2dCompiler) compileFields(m i2dMap, t *i2dTemplate) error {
	raw, ok := m.get("fields")
	if !ok || raw == nil {
		return nil
	}
	fm, ok := raw.(i2dMap)
	if !ok {
		return c.fail("fields", "must be a mapping of field names to regexes or settings")
	}
	if len(fm) > MaxFields {
		return c.fail("fields", "has %d fields; the limit is %d", len(fm), MaxFields)
	}
	for _, e := range fm {
		f, ok, err := c.compileField(e.key, e.val)
		if err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		if err := checkI2DName(f.name); err != nil {
			return c.fail("fields."+e.key, "output name %s", err.Error())
		}
		t.fields = append(t.fields, f)
	}
	return nil
}

// compileField compiles one field; ok is false for a field that produces
// nothing (a legacy field without a regex).
func (c *i2dCompiler) compileField(key string, v any) (i2dField, bool, error) {
	path := "fields." + key
	if fm, isMap := v.(i2dMap); isMap {
		f, err := c.compileParserField(key, fm, path)
		return f, err == nil, err
	}
	if name, ok := strings.CutPrefix(key, "static_"); ok {
		if err := checkStatic(v); err != nil {
			return i2dField{}, false, c.fail(path, "%s", err.Error())
		}
		return i2dField{name: name, kind: i2dStatic, static: v}, true, nil
	}
	if v == nil {
		return i2dField{}, false, nil
	}
	f := i2dField{name: key, kind: i2dRegex}
	_, isList := v.([]any)
	switch {
	case strings.HasPrefix(key, "sum_amount") && isList:
		f.name, f.typ, f.group = key[4:], "float", "sum"
	case strings.HasPrefix(key, "date") || strings.HasSuffix(key, "date"):
		f.typ = "date"
	case strings.HasPrefix(key, "amount"):
		f.typ = "float"
	}
	var err error
	if f.regexes, err = c.valueRegexes(v, path); err != nil {
		return f, false, err
	}
	return f, true, nil
}

// valueRegexes compiles the regexes of a field.
func (c *i2dCompiler) valueRegexes(v any, path string) ([]*regexp.Regexp, error) {
	return c.regexList(v, path, useValue)
}

// i2dName is what an output name of an invoice2data template looks like:
// more liberal than a field name of the native config (invoice2data
// templates use names such as "Incassant-ID"), still a clean CSV column.
var i2dName = regexp.MustCompile(`^[\pL_][\pL\pN_.-]*$`)

// checkI2DName validates an output name of a template.
func checkI2DName(name string) error {
	switch {
	case len(name) > MaxFieldNameSize:
		return fmt.Errorf("%q is longer than %d bytes", name, MaxFieldNameSize)
	case !i2dName.MatchString(name):
		return fmt.Errorf("%q must start with a letter or _ and hold only letters, digits, _, - and .", name)
	case strings.Contains(name, "__"):
		return fmt.Errorf("%q must not contain \"__\", which export column suffixes use", name)
	}
	return nil
}

// checkStatic validates a static value: a string, a number, a boolean or
// nothing.
func checkStatic(v any) error {
	switch v.(type) {
	case string, float64, bool, nil:
		return nil
	}
	return fmt.Errorf("a static value must be a string, a number, true/false or empty")
}

// compileParserField compiles a field given as settings with a parser.
func (c *i2dCompiler) compileParserField(key string, fm i2dMap, path string) (i2dField, error) {
	f := i2dField{name: key}
	if a, ok := fm.get("area"); ok && a != nil {
		area, err := c.compileArea(a, path+".area")
		if err != nil {
			return f, err
		}
		f.area = area
	}
	parser, _ := mustGet(fm, "parser").(string)
	var err error
	switch parser {
	case "regex":
		f.kind = i2dRegex
		if f.regexes, err = c.valueRegexes(mustGet(fm, "regex"), path+".regex"); err != nil {
			return f, err
		}
		err = c.typeAndGroup(fm, &f, path)
	case "static":
		f.kind, f.static = i2dStatic, mustGet(fm, "value")
		if err := checkStatic(f.static); err != nil {
			return f, c.fail(path+".value", "%s", err.Error())
		}
	case "lines":
		f.kind = i2dLinesK
		f.lines, err = c.compileLines(fm, path)
	case "":
		err = c.fail(path+".parser", "is required: regex, static or lines")
	default:
		err = c.fail(path+".parser", "unknown parser %q; want regex, static or lines", parser)
	}
	return f, err
}

// typeAndGroup reads a regex field's type and group.
func (c *i2dCompiler) typeAndGroup(fm i2dMap, f *i2dField, path string) error {
	if v, ok := fm.get("type"); ok && v != nil {
		f.typ = scalarString(v)
		if !slices.Contains(i2dTypes, f.typ) {
			return c.fail(path+".type", "unknown type %q; want int, float or date", f.typ)
		}
		if f.typ == "datetime" {
			f.typ = "date"
		}
	}
	if v, ok := fm.get("group"); ok && v != nil {
		f.group = scalarString(v)
		if !slices.Contains(i2dGroups, f.group) {
			return c.fail(path+".group", "unknown group %q; want sum, min, max, first, last or join", f.group)
		}
		if f.group == "sum" && f.typ != "int" && f.typ != "float" {
			return c.fail(path+".group", "sum needs type int or float")
		}
	}
	return nil
}

// compileArea reads an area: f, l (pages), x, y, W, H (pixels) and r (dpi).
func (c *i2dCompiler) compileArea(v any, path string) (*i2dArea, error) {
	am, ok := v.(i2dMap)
	if !ok {
		return nil, c.fail(path, "must be a mapping with f, l, x, y, r, W and H")
	}
	num := func(k string, def float64) (float64, bool, error) {
		x, ok := am.get(k)
		if !ok || x == nil {
			return def, false, nil
		}
		n, isNum := x.(float64)
		if !isNum || n < 0 {
			return 0, false, c.fail(path+"."+k, "must be a number of at least 0")
		}
		return n, true, nil
	}
	a := &i2dArea{}
	var first, last float64
	var err error
	for _, s := range []struct {
		key string
		def float64
		dst *float64
		set *bool
	}{{"f", 1, &first, nil}, {"l", 0, &last, nil}, {"x", 0, &a.x, nil}, {"y", 0, &a.y, nil}, {"r", 72, &a.dpi, nil}, {"W", 0, &a.w, &a.hasWidth}, {"H", 0, &a.h, &a.hasHeight}} {
		var set bool
		if *s.dst, set, err = num(s.key, s.def); err != nil {
			return nil, err
		}
		if s.set != nil {
			*s.set = set && *s.dst > 0
		}
	}
	if a.dpi == 0 {
		return nil, c.fail(path+".r", "must be more than 0")
	}
	a.first, a.last = int(first), int(last)
	if a.last == 0 {
		a.last = a.first
	}
	return a, nil
}

// compileLines compiles a lines parser: one rule, or "rules" whose entries
// take the other settings as defaults. A list is read as rules.
func (c *i2dCompiler) compileLines(v any, path string) (*i2dLines, error) {
	var rules []i2dMap
	switch x := v.(type) {
	case []any:
		for i, r := range x {
			rm, ok := r.(i2dMap)
			if !ok {
				return nil, c.fail(fmt.Sprintf("%s[%d]", path, i), "must be a mapping with start, end and line")
			}
			rules = append(rules, rm)
		}
	case i2dMap:
		var err error
		if rules, err = c.lineRules(x, path); err != nil {
			return nil, err
		}
	default:
		return nil, c.fail(path, "must be a mapping with start, end and line")
	}
	l := &i2dLines{}
	for i, rm := range rules {
		rpath := path
		if len(rules) > 1 {
			rpath = fmt.Sprintf("%s.rules[%d]", path, i)
		}
		r, err := c.compileLineRule(rm, rpath)
		if err != nil {
			return nil, err
		}
		l.rules = append(l.rules, r)
		for _, re := range slices.Concat(r.first, r.line, r.last) {
			for _, n := range re.SubexpNames() {
				if n != "" && !slices.Contains(l.columns, n) {
					l.columns = append(l.columns, n)
				}
			}
		}
	}
	return l, nil
}

// lineRules returns a lines mapping's rules.
func (c *i2dCompiler) lineRules(m i2dMap, path string) ([]i2dMap, error) {
	raw, ok := m.get("rules")
	if !ok {
		return []i2dMap{m}, nil
	}
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		return nil, c.fail(path+".rules", "must be a list of mappings with start, end and line")
	}
	var common i2dMap
	for _, e := range m {
		if e.key != "parser" && e.key != "rules" {
			common = append(common, e)
		}
	}
	rules := make([]i2dMap, 0, len(list))
	for i, r := range list {
		rm, ok := r.(i2dMap)
		if !ok {
			return nil, c.fail(fmt.Sprintf("%s.rules[%d]", path, i), "must be a mapping with start, end and line")
		}
		merged := append(slices.Clone(common), rm...)
		rules = append(rules, dedupe(merged))
	}
	return rules, nil
}

// dedupe keeps the last value of each key of m, at its first place.
func dedupe(m i2dMap) i2dMap {
	out := make(i2dMap, 0, len(m))
	for _, e := range m {
		if i := slices.IndexFunc(out, func(o i2dEntry) bool { return o.key == e.key }); i >= 0 {
			out[i].val = e.val
			continue
		}
		out = append(out, e)
	}
	return out
}

// compileLineRule compiles one rule of a lines parser.
func (c *i2dCompiler) compileLineRule(m i2dMap, path string) (i2dLineRule, error) {
	var r i2dLineRule
	for _, k := range unsupportedLineKeys {
		if _, ok := m.get(k); ok {
			return r, c.fail(path+"."+k, "is not supported by this invoice2data implementation")
		}
	}
	for _, k := range []string{"start", "end", "line"} {
		if v, ok := m.get(k); !ok || v == nil {
			return r, c.fail(path+"."+k, "is required")
		}
	}
	var err error
	if r.start, err = c.regex(mustGet(m, "start"), path+".start", usePosition); err != nil {
		return r, err
	}
	if r.end, err = c.regex(mustGet(m, "end"), path+".end", usePosition); err != nil {
		return r, err
	}
	if r.sep, err = c.regex(orDefault(mustGet(m, "line_separator"), `\n`), path+".line_separator", usePosition); err != nil {
		return r, err
	}
	r.endLast = mustGet(m, "end_match") == "last"
	for _, p := range []struct {
		key string
		dst *[]*regexp.Regexp
	}{{"line", &r.line}, {"first_line", &r.first}, {"last_line", &r.last}, {"skip_line", &r.skip}} {
		if v, ok := m.get(p.key); ok && v != nil {
			if *p.dst, err = c.regexList(v, path+"."+p.key, usePosition); err != nil {
				return r, err
			}
		}
	}
	if r.first == nil && r.last == nil {
		r.first = r.line
	}
	r.types, err = c.types(mustGet(m, "types"), path+".types")
	return r, err
}

// orDefault returns v, or def when v is nil.
func orDefault(v any, def string) any {
	if v == nil {
		return def
	}
	return v
}

// types reads a mapping of names to value types.
func (c *i2dCompiler) types(v any, path string) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	tm, ok := v.(i2dMap)
	if !ok {
		return nil, c.fail(path, "must be a mapping of names to int, float or date")
	}
	out := make(map[string]string, len(tm))
	for _, e := range tm {
		typ := scalarString(e.val)
		if !slices.Contains(i2dTypes, typ) {
			return nil, c.fail(path+"."+e.key, "unknown type %q; want int, float or date", typ)
		}
		if typ == "datetime" {
			typ = "date"
		}
		out[e.key] = typ
	}
	return out, nil
}

// compilePlugins compiles the top-level lines and tables plugins.
func (c *i2dCompiler) compilePlugins(m i2dMap, t *i2dTemplate) error {
	if v, ok := m.get("lines"); ok && v != nil {
		l, err := c.compileLines(v, "lines")
		if err != nil {
			return err
		}
		t.fields = append(t.fields, i2dField{name: "lines", kind: i2dLinesK, lines: l})
	}
	v, ok := m.get("tables")
	if !ok || v == nil {
		return nil
	}
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	}
	for i, e := range list {
		tb, err := c.compileTable(e, fmt.Sprintf("tables[%d]", i))
		if err != nil {
			return err
		}
		t.tables = append(t.tables, tb)
		for _, n := range tb.columns {
			if err := checkI2DName(n); err != nil {
				return c.fail(fmt.Sprintf("tables[%d].body", i), "group name %s", err.Error())
			}
		}
	}
	return nil
}

// compileTable compiles one block of the tables plugin.
func (c *i2dCompiler) compileTable(v any, path string) (i2dTable, error) {
	var tb i2dTable
	m, ok := v.(i2dMap)
	if !ok {
		return tb, c.fail(path, "must be a mapping with start, end and body")
	}
	var err error
	for _, p := range []struct {
		key string
		dst **regexp.Regexp
		def string
	}{{"start", &tb.start, ""}, {"end", &tb.end, ""}, {"body", &tb.body, ""}, {"line_separator", &tb.sep, `\n`}} {
		raw := orDefault(mustGet(m, p.key), p.def)
		if raw == "" {
			return tb, c.fail(path+"."+p.key, "is required")
		}
		if *p.dst, err = c.regex(raw, path+"."+p.key, usePosition); err != nil {
			return tb, err
		}
	}
	if tb.types, err = c.types(mustGet(m, "types"), path+".types"); err != nil {
		return tb, err
	}
	if tb.types == nil {
		tb.types = map[string]string{}
	}
	tb.groups = map[string]string{}
	if fm, ok := mustGet(m, "fields").(i2dMap); ok {
		for _, e := range fm {
			f := i2dField{typ: tb.types[e.key]}
			switch {
			case f.typ != "":
			case strings.HasPrefix(e.key, "date") || strings.HasSuffix(e.key, "date"):
				f.typ = "date"
			case strings.HasPrefix(e.key, "amount"):
				f.typ = "float"
			}
			sm, _ := e.val.(i2dMap)
			if err := c.typeAndGroup(sm, &f, path+".fields."+e.key); err != nil {
				return tb, err
			}
			if _, set := tb.types[e.key]; !set && f.typ != "" {
				tb.types[e.key] = f.typ
			}
			tb.groups[e.key] = f.group
		}
	}
	for _, n := range tb.body.SubexpNames() {
		if n != "" && !slices.Contains(tb.columns, n) {
			tb.columns = append(tb.columns, n)
		}
	}
	return tb, nil
}

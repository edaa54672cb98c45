package processor

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/text/currency"
)

// i2dTemplate is a compiled invoice2data template.
type i2dTemplate struct {
	issuer   string
	priority float64
	keywords []*regexp.Regexp
	exclude  []*regexp.Regexp
	opts     i2dOptions
	fields   []i2dField // fields, then the top-level lines plugin as "lines"
	tables   []i2dTable // the tables plugin
	required []string
}

// i2dOptions are a template's options.
type i2dOptions struct {
	currency         string // as written, the "currency" output
	isoCurrency      string // currency when it is an ISO 4217 code, for money values
	decimal          string
	dateFormats      []strptimeFormat
	dateOrder        DateOrder
	removeWhitespace bool
	removeAccents    bool
	lowercase        bool
	replace          []i2dReplace
}

// i2dReplace is one replace option: a regex and its replacement in
// regexp.Expand syntax.
type i2dReplace struct {
	re   *regexp.Regexp
	repl string
}

// i2dFieldKind says how a field gets its value.
type i2dFieldKind int

const (
	i2dRegex  i2dFieldKind = iota // the regex parser (and legacy fields)
	i2dStatic                     // the static parser and static_ fields
	i2dLinesK                     // the lines parser and the lines plugin
)

// i2dField is a compiled template field.
type i2dField struct {
	name    string // output name
	kind    i2dFieldKind
	regexes []*regexp.Regexp
	typ     string // "", "int", "float" or "date"
	group   string // "", "sum", "min", "max", "first", "last" or "join"
	static  any
	area    *i2dArea
	lines   *i2dLines
}

// i2dArea is the part of the pages a field's regex reads (pdftotext's
// -f -l -x -y -W -H at -r dpi).
type i2dArea struct {
	first, last         int
	x, y, w, h, dpi     float64
	hasWidth, hasHeight bool
}

// i2dCompiler compiles one template and names the settings it rejects.
type i2dCompiler struct {
	path   string // "invoice2data.templates[3]"
	issuer string
}

// fail returns a *ConfigError for the setting at key (relative to the
// template).
func (c *i2dCompiler) fail(key string, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if c.issuer != "" {
		msg = fmt.Sprintf("template %q: %s", c.issuer, msg)
	}
	return &ConfigError{Field: join(c.path, key), Message: msg}
}

// regex compiles a Python regex setting.
func (c *i2dCompiler) regex(v any, key string, use regexUse) (*regexp.Regexp, error) {
	s, ok := v.(string)
	if !ok {
		return nil, c.fail(key, "must be a regular expression string")
	}
	re, err := compilePyRegex(s, use)
	if err != nil {
		return nil, c.fail(key, "%s", err.Error())
	}
	return re, nil
}

// regexList compiles a regex or a list of regexes.
func (c *i2dCompiler) regexList(v any, key string, use regexUse) ([]*regexp.Regexp, error) {
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	}
	out := make([]*regexp.Regexp, 0, len(list))
	for i, e := range list {
		k := key
		if isList {
			k = fmt.Sprintf("%s[%d]", key, i)
		}
		re, err := c.regex(e, k, use)
		if err != nil {
			return nil, err
		}
		out = append(out, re)
	}
	return out, nil
}

// compileI2DTemplate compiles a decoded template.
func compileI2DTemplate(m i2dMap, path string) (*i2dTemplate, error) {
	c := &i2dCompiler{path: path}
	t := &i2dTemplate{priority: 5}
	if err := c.compileHeader(m, t); err != nil {
		return nil, err
	}
	opts, err := c.compileOptions(m)
	if err != nil {
		return nil, err
	}
	t.opts = opts
	if err := c.compileFields(m, t); err != nil {
		return nil, err
	}
	if err := c.compilePlugins(m, t); err != nil {
		return nil, err
	}
	return t, c.compileRequired(m, t)
}

// compileHeader reads issuer, keywords, exclude_keywords and priority.
func (c *i2dCompiler) compileHeader(m i2dMap, t *i2dTemplate) error {
	kw, ok := m.get("keywords")
	if !ok || kw == nil {
		return c.fail("keywords", "is required: the texts (regexes) that pick the template")
	}
	words := stringList(kw)
	if len(words) == 0 {
		return c.fail("keywords", "must hold at least one keyword")
	}
	if v, ok := m.get("issuer"); ok && v != nil {
		t.issuer = strings.TrimSpace(scalarString(v))
	}
	if t.issuer == "" {
		t.issuer = words[0]
	}
	c.issuer = t.issuer
	var err error
	if t.keywords, err = c.regexList(toAnyList(words), "keywords", useSearch); err != nil {
		return err
	}
	if v, ok := m.get("exclude_keywords"); ok && v != nil {
		if t.exclude, err = c.regexList(toAnyList(stringList(v)), "exclude_keywords", useSearch); err != nil {
			return err
		}
	}
	if v, ok := m.get("priority"); ok && v != nil {
		p, isNum := v.(float64)
		if !isNum {
			return c.fail("priority", "must be a number")
		}
		t.priority = p
	}
	if _, ok := m.get("camelot"); ok {
		return c.fail("camelot", "the camelot plugin is not supported")
	}
	return nil
}

// stringList reads a scalar or a list of scalars as strings.
func stringList(v any) []string {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var out []string
	for _, e := range list {
		if e != nil {
			out = append(out, scalarString(e))
		}
	}
	return out
}

// toAnyList converts strings to a list of values.
func toAnyList(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// compileOptions reads the options, with invoice2data's defaults.
func (c *i2dCompiler) compileOptions(m i2dMap) (i2dOptions, error) {
	o := i2dOptions{currency: "EUR", isoCurrency: "EUR", decimal: ".", dateOrder: DateOrderMDY}
	raw, ok := m.get("options")
	if !ok || raw == nil {
		return o, nil
	}
	om, ok := raw.(i2dMap)
	if !ok {
		return o, c.fail("options", "must be a mapping")
	}
	c.readFlags(om, &o)
	if err := c.readLocale(om, &o); err != nil {
		return o, err
	}
	return o, c.readReplace(om, &o)
}

// readFlags reads the boolean options with Python's truthiness (a
// non-empty list is true), except that "false", "no" and "0" are false.
func (c *i2dCompiler) readFlags(om i2dMap, o *i2dOptions) {
	for _, f := range []struct {
		key string
		dst *bool
	}{{"remove_whitespace", &o.removeWhitespace}, {"remove_accents", &o.removeAccents}, {"lowercase", &o.lowercase}} {
		v, _ := om.get(f.key)
		*f.dst = truthy(v)
	}
}

// truthy is Python's truth value of a decoded YAML value.
func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return !slices.Contains([]string{"", "false", "no", "0"}, strings.ToLower(strings.TrimSpace(x)))
	case float64:
		return x != 0
	case []any:
		return len(x) > 0
	case i2dMap:
		return len(x) > 0
	}
	return false
}

// readLocale reads currency, decimal_separator, date_formats and languages.
func (c *i2dCompiler) readLocale(om i2dMap, o *i2dOptions) error {
	if v, ok := om.get("currency"); ok && v != nil {
		o.currency = scalarString(v)
		o.isoCurrency = ""
		if unit, err := currency.ParseISO(o.currency); err == nil && len(o.currency) == 3 {
			o.isoCurrency = unit.String()
		}
	}
	if v, ok := om.get("decimal_separator"); ok && v != nil {
		o.decimal = scalarString(v)
		if o.decimal != "." && o.decimal != "," {
			return c.fail("options.decimal_separator", `%q is not a decimal separator; want "." or ","`, o.decimal)
		}
	}
	if v, ok := om.get("date_formats"); ok && v != nil {
		for i, f := range stringList(v) {
			sf, err := compileStrptime(f)
			if err != nil {
				return c.fail(fmt.Sprintf("options.date_formats[%d]", i), "%s", err.Error())
			}
			o.dateFormats = append(o.dateFormats, sf)
		}
	}
	if v, ok := om.get("languages"); ok && v != nil {
		langs := stringList(v)
		if len(langs) > 0 && !slices.Contains(langs, "en") {
			o.dateOrder = DateOrderDMY
		}
	}
	return nil
}

// readReplace reads the replace option: a list of [regex, replacement]
// pairs (a single pair is accepted too).
func (c *i2dCompiler) readReplace(om i2dMap, o *i2dOptions) error {
	v, ok := om.get("replace")
	if !ok || v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return c.fail("options.replace", "must be a list of [regex, replacement] pairs")
	}
	if len(list) == 2 && isString(list[0]) && isString(list[1]) {
		list = []any{list}
	}
	for i, e := range list {
		key := fmt.Sprintf("options.replace[%d]", i)
		pair, ok := e.([]any)
		if !ok || len(pair) != 2 || !isString(pair[0]) || pair[1] != nil && !isString(pair[1]) {
			return c.fail(key, "must be a [regex, replacement] pair of strings")
		}
		re, err := c.regex(pair[0], key+"[0]", usePosition)
		if err != nil {
			return err
		}
		repl, _ := pair[1].(string)
		tr, err := translatePyReplacement(repl, re)
		if err != nil {
			return c.fail(key+"[1]", "%s", err.Error())
		}
		o.replace = append(o.replace, i2dReplace{re: re, repl: tr})
	}
	return nil
}

// isString reports whether v is a string.
func isString(v any) bool {
	_, ok := v.(string)
	return ok
}

// compileRequired reads required_fields (top level, or under options),
// defaulting to invoice2data's date, amount, invoice_number and issuer.
func (c *i2dCompiler) compileRequired(m i2dMap, t *i2dTemplate) error {
	v, ok := m.get("required_fields")
	if !ok {
		if om, isMap := mustGet(m, "options").(i2dMap); isMap {
			v, ok = om.get("required_fields")
		}
	}
	if !ok || v == nil {
		t.required = []string{"date", "amount", "invoice_number", "issuer"}
		return nil
	}
	if _, isList := v.([]any); !isList {
		return c.fail("required_fields", "must be a list of field names")
	}
	t.required = stringList(v)
	return nil
}

// mustGet returns the value of key, or nil.
func mustGet(m i2dMap, key string) any {
	v, _ := m.get(key)
	return v
}

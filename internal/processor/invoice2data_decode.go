package processor

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// MaxInvoice2DataTemplateSize is the largest template text, in bytes.
const MaxInvoice2DataTemplateSize = 256 << 10

// i2dMap is a decoded YAML or JSON mapping in document order. A key given
// twice keeps its first place and its last value, as Python's YAML loader
// and json module do.
type i2dMap []i2dEntry

// i2dEntry is one key of an i2dMap.
type i2dEntry struct {
	key string
	val any
}

// get returns the value of key.
func (m i2dMap) get(key string) (any, bool) {
	for _, e := range m {
		if e.key == key {
			return e.val, true
		}
	}
	return nil, false
}

// decodeTemplateText parses one template's YAML or JSON text into i2dMap,
// []any, string, float64, bool and nil values. YAML anchors and aliases
// are refused: expanding them is how a small text becomes a huge value.
func decodeTemplateText(data []byte) (m i2dMap, err error) {
	if len(data) > MaxInvoice2DataTemplateSize {
		return nil, fmt.Errorf("is larger than %d bytes", MaxInvoice2DataTemplateSize)
	}
	defer func() {
		// The YAML library is third-party code fed with user input: a panic
		// in it must become a config error, not a crashed server.
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("cannot be parsed as YAML or JSON (%v)", r)
		}
	}()
	file, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return nil, fmt.Errorf("invalid YAML or JSON: %s", yaml.FormatError(err, false, false))
	}
	var docs []*ast.DocumentNode
	for _, d := range file.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	switch {
	case len(docs) == 0:
		return nil, errors.New("is empty")
	case len(docs) > 1:
		return nil, errors.New("holds several YAML documents; give one template per entry")
	}
	if err := refuseAliases(docs[0].Body); err != nil {
		return nil, err
	}
	var v any
	if err := yaml.NodeToValue(docs[0].Body, &v, yaml.UseOrderedMap(), yaml.AllowDuplicateMapKey()); err != nil {
		return nil, fmt.Errorf("invalid YAML or JSON: %s", yaml.FormatError(err, false, false))
	}
	top, ok := normalizeYAML(v).(i2dMap)
	if !ok {
		return nil, errors.New("must be a mapping (issuer, keywords, fields, …)")
	}
	return top, nil
}

// aliasFinder records the first anchor, alias or merge key of a YAML tree.
type aliasFinder struct{ found ast.Node }

// Visit implements ast.Visitor.
func (f *aliasFinder) Visit(n ast.Node) ast.Visitor {
	if f.found != nil {
		return nil
	}
	switch n.(type) {
	case *ast.AliasNode, *ast.AnchorNode, *ast.MergeKeyNode:
		f.found = n
		return nil
	}
	return f
}

// refuseAliases returns an error when the tree has an anchor, an alias or a
// merge key.
func refuseAliases(n ast.Node) error {
	var f aliasFinder
	ast.Walk(&f, n)
	if f.found != nil {
		return fmt.Errorf("uses YAML anchors or aliases (%s), which are not supported", strings.TrimSpace(f.found.GetToken().Value))
	}
	return nil
}

// normalizeYAML converts a decoded value to i2dMap, []any, string,
// float64, bool and nil.
func normalizeYAML(v any) any {
	switch x := v.(type) {
	case yaml.MapSlice:
		m := make(i2dMap, 0, len(x))
		pos := make(map[string]int, len(x))
		for _, item := range x {
			key := scalarString(item.Key)
			val := normalizeYAML(item.Value)
			if i, dup := pos[key]; dup {
				m[i].val = val
				continue
			}
			pos[key] = len(m)
			m = append(m, i2dEntry{key: key, val: val})
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeYAML(e)
		}
		return out
	case map[string]any: // not produced with UseOrderedMap; kept for safety
		m := make(i2dMap, 0, len(x))
		for k, e := range x {
			m = append(m, i2dEntry{key: k, val: normalizeYAML(e)})
		}
		return m
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	case float32:
		return float64(x)
	case string, float64, bool, nil:
		return x
	}
	return fmt.Sprint(v)
}

// scalarString formats a scalar as Python's str() would for a key or a
// keyword: numbers without a trailing ".0".
func scalarString(v any) string {
	switch x := normalizeYAML(v).(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	case bool: // Python's str(True)
		return map[bool]string{true: "True", false: "False"}[x]
	default:
		return fmt.Sprint(x)
	}
}

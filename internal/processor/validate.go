package processor

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/currency"
)

// fieldSpec is a validated, compiled FieldConfig.
type fieldSpec struct {
	name      string
	typ       FieldType
	labels    []string // folded label texts, with spacing variants
	regex     *regexp.Regexp
	required  bool
	currency  string
	dateOrder DateOrder // "" means DMY by default, not configured
	decimal   byte      // '.' or ',', or 0 to decide from the text
}

// newExtractor validates an EXTRACT config and compiles it.
func newExtractor(raw json.RawMessage) (*extractor, error) {
	cfg, err := decodeExtractConfig(raw)
	if err != nil {
		return nil, err
	}
	e := &extractor{threshold: DefaultReviewThreshold, fields: make([]fieldSpec, 0, len(cfg.Fields))}
	if err := validateTop(cfg); err != nil {
		return nil, err
	}
	if cfg.ReviewThreshold != nil {
		e.threshold = *cfg.ReviewThreshold
	}
	seen := make(map[string]int, len(cfg.Fields))
	for i, fc := range cfg.Fields {
		path := fmt.Sprintf("fields[%d]", i)
		if j, dup := seen[fc.Name]; dup {
			return nil, &ConfigError{Field: path + ".name", Message: fmt.Sprintf("duplicate name %q (also fields[%d])", fc.Name, j)}
		}
		seen[fc.Name] = i
		spec, err := compileField(fc, cfg, path)
		if err != nil {
			return nil, err
		}
		e.fields = append(e.fields, spec)
	}
	return e, nil
}

// validateTop checks the settings outside the fields.
func validateTop(cfg ExtractConfig) error {
	switch {
	case len(cfg.Fields) > MaxFields:
		return &ConfigError{Field: "fields", Message: fmt.Sprintf("has %d fields; the limit is %d", len(cfg.Fields), MaxFields)}
	case cfg.ReviewThreshold != nil && (*cfg.ReviewThreshold < 0 || *cfg.ReviewThreshold > 1):
		return &ConfigError{Field: "review_threshold", Message: "must be between 0 and 1"}
	}
	if err := checkDateOrder(cfg.DateOrder, "date_order"); err != nil {
		return err
	}
	return checkDecimal(cfg.DecimalSeparator, "decimal_separator")
}

// compileField validates one field and compiles it, using cfg's defaults.
func compileField(fc FieldConfig, cfg ExtractConfig, path string) (fieldSpec, error) {
	spec := fieldSpec{name: fc.Name, typ: fc.Type, required: fc.Required, dateOrder: cfg.DateOrder}
	if spec.typ == "" {
		spec.typ = FieldString
	}
	if err := checkName(fc.Name, path+".name"); err != nil {
		return spec, err
	}
	switch spec.typ {
	case FieldString, FieldNumber, FieldDate, FieldMoney:
	default:
		return spec, &ConfigError{Field: path + ".type", Message: fmt.Sprintf("unknown type %q; want string, number, date or money", fc.Type)}
	}
	if len(fc.Labels) == 0 && fc.Regex == "" {
		return spec, &ConfigError{Field: path, Message: "needs labels, a regex or both"}
	}
	var err error
	if spec.labels, err = compileLabels(fc.Labels, path+".labels"); err != nil {
		return spec, err
	}
	if spec.regex, err = compileRegex(fc.Regex, path+".regex"); err != nil {
		return spec, err
	}
	return spec, applyTypeOptions(&spec, fc, cfg, path)
}

// applyTypeOptions validates the settings that only some types take.
func applyTypeOptions(spec *fieldSpec, fc FieldConfig, cfg ExtractConfig, path string) error {
	only := func(key, types string) error {
		return &ConfigError{Field: path + "." + key, Message: "only applies to " + types + " fields"}
	}
	if fc.Currency != "" {
		if spec.typ != FieldMoney {
			return only("currency", "money")
		}
		unit, err := currency.ParseISO(fc.Currency)
		if err != nil || len(fc.Currency) != 3 {
			return &ConfigError{Field: path + ".currency", Message: fmt.Sprintf("%q is not an ISO 4217 currency code", fc.Currency)}
		}
		spec.currency = unit.String()
	}
	if fc.DateOrder != "" {
		if spec.typ != FieldDate {
			return only("date_order", "date")
		}
		if err := checkDateOrder(fc.DateOrder, path+".date_order"); err != nil {
			return err
		}
		spec.dateOrder = fc.DateOrder
	}
	sep := cfg.DecimalSeparator
	if fc.DecimalSeparator != "" {
		if spec.typ != FieldNumber && spec.typ != FieldMoney {
			return only("decimal_separator", "number and money")
		}
		if err := checkDecimal(fc.DecimalSeparator, path+".decimal_separator"); err != nil {
			return err
		}
		sep = fc.DecimalSeparator
	}
	if sep != "" {
		spec.decimal = sep[0]
	}
	return nil
}

// validName is what a field name looks like: it becomes a CSV column.
var validName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// checkName validates a field name: an identifier (see checkIdentifier)
// without "__", which export column suffixes use.
func checkName(name, path string) error {
	if err := checkIdentifier(name, path); err != nil {
		return err
	}
	if strings.Contains(name, "__") {
		return &ConfigError{Field: path, Message: fmt.Sprintf("%q must not contain \"__\", which export column suffixes use", name)}
	}
	return nil
}

// checkIdentifier validates a name that may become a column: present, at
// most MaxFieldNameSize long, letters, digits and _ only, not starting with
// a digit.
func checkIdentifier(name, path string) error {
	switch {
	case name == "":
		return &ConfigError{Field: path, Message: "is required"}
	case len(name) > MaxFieldNameSize:
		return &ConfigError{Field: path, Message: fmt.Sprintf("is longer than %d characters", MaxFieldNameSize)}
	case !validName.MatchString(name):
		return &ConfigError{Field: path, Message: fmt.Sprintf("%q must start with a letter or _ and hold only letters, digits and _", name)}
	}
	return nil
}

// compileLabels validates labels and returns their folded search texts.
func compileLabels(labels []string, path string) ([]string, error) {
	if len(labels) > MaxLabels {
		return nil, &ConfigError{Field: path, Message: fmt.Sprintf("has %d labels; the limit is %d", len(labels), MaxLabels)}
	}
	var out []string
	for i, l := range labels {
		norm := normalizeLabel(l)
		switch {
		case norm == "":
			return nil, &ConfigError{Field: fmt.Sprintf("%s[%d]", path, i), Message: "must not be empty"}
		case utf8.RuneCountInString(norm) > MaxLabelLength:
			return nil, &ConfigError{Field: fmt.Sprintf("%s[%d]", path, i), Message: fmt.Sprintf("is longer than %d characters", MaxLabelLength)}
		}
		for _, v := range labelVariants(norm) {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out, nil
}

// compileRegex compiles a field regex in multi-line mode, so ^ and $ match
// at line boundaries.
func compileRegex(expr, path string) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, nil
	}
	if len(expr) > MaxRegexLength {
		return nil, &ConfigError{Field: path, Message: fmt.Sprintf("is longer than %d bytes", MaxRegexLength)}
	}
	re, err := regexp.Compile("(?m)" + expr)
	if err != nil {
		return nil, &ConfigError{Field: path, Message: "invalid regular expression: " + strings.TrimPrefix(err.Error(), "error parsing regexp: ")}
	}
	if re.MatchString("") {
		return nil, &ConfigError{Field: path, Message: "matches the empty string, so it would match anywhere"}
	}
	return re, nil
}

// checkDateOrder validates a date order setting.
func checkDateOrder(o DateOrder, path string) error {
	if o != "" && o != DateOrderDMY && o != DateOrderMDY {
		return &ConfigError{Field: path, Message: fmt.Sprintf("unknown date order %q; want DMY or MDY", o)}
	}
	return nil
}

// checkDecimal validates a decimal separator setting.
func checkDecimal(sep, path string) error {
	if sep != "" && sep != "." && sep != "," {
		return &ConfigError{Field: path, Message: fmt.Sprintf(`%q is not a decimal separator; want "." or ","`, sep)}
	}
	return nil
}

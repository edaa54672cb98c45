package processor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
)

// DefaultReviewThreshold is the review threshold of an EXTRACT config that
// sets none.
const DefaultReviewThreshold = 0.7

// Limits of an EXTRACT config; they keep one processor's work per document
// bounded.
const (
	// MaxFields is the most fields a config may have.
	MaxFields = 100
	// MaxLabels is the most labels a field may have.
	MaxLabels = 20
	// MaxLabelLength is the longest label, in characters.
	MaxLabelLength = 100
	// MaxRegexLength is the longest regex, in bytes.
	MaxRegexLength = 1000
	// MaxFieldNameSize is the longest field name, in bytes.
	MaxFieldNameSize = 64
)

// DateOrder says how to read an all-numeric date whose day and month could
// be swapped, such as 01/03/2024.
type DateOrder string

const (
	// DateOrderDMY reads 01/03/2024 as 1 March 2024 (the default).
	DateOrderDMY DateOrder = "DMY"
	// DateOrderMDY reads 01/03/2024 as January 3, 2024.
	DateOrderMDY DateOrder = "MDY"
)

// ExtractConfig is the config of an EXTRACT processor. The package
// documentation describes every setting.
type ExtractConfig struct {
	// Fields are the fields to extract, in output order.
	Fields []FieldConfig `json:"fields"`
	// ReviewThreshold is the confidence below which a value needs review;
	// nil means DefaultReviewThreshold.
	ReviewThreshold *float64 `json:"review_threshold,omitempty"`
	// DateOrder is the default DateOrder of date fields.
	DateOrder DateOrder `json:"date_order,omitempty"`
	// DecimalSeparator is the default decimal separator ("." or ",") of
	// number and money fields; empty means "decide from the text".
	DecimalSeparator string `json:"decimal_separator,omitempty"`
}

// FieldConfig configures one field of an EXTRACT processor.
type FieldConfig struct {
	// Name names the field in the output.
	Name string `json:"name"`
	// Type is the field's type; empty means FieldString.
	Type FieldType `json:"type,omitempty"`
	// Labels are texts printed next to the value, e.g. "Invoice No".
	Labels []string `json:"labels,omitempty"`
	// Regex is an RE2 regular expression the value matches; with a capture
	// group, group 1 is the value.
	Regex string `json:"regex,omitempty"`
	// Required makes a missing value need review.
	Required bool `json:"required,omitempty"`
	// Currency is the ISO 4217 code of a money field whose text shows none.
	Currency string `json:"currency,omitempty"`
	// DateOrder overrides ExtractConfig.DateOrder for a date field.
	DateOrder DateOrder `json:"date_order,omitempty"`
	// DecimalSeparator overrides ExtractConfig.DecimalSeparator for a
	// number or money field.
	DecimalSeparator string `json:"decimal_separator,omitempty"`
}

// decodeExtractConfig decodes raw strictly: unknown keys and wrong types are
// *ConfigErrors naming the setting.
func decodeExtractConfig(raw json.RawMessage) (ExtractConfig, error) {
	var cfg ExtractConfig
	if len(bytes.TrimSpace(raw)) == 0 {
		return cfg, &ConfigError{Message: "a JSON object is required"}
	}
	top, err := objectKeys(raw, "", "fields", "review_threshold", "date_order", "decimal_separator")
	if err != nil {
		return cfg, err
	}
	settings := []struct {
		key    string
		target any
	}{{"review_threshold", &cfg.ReviewThreshold}, {"date_order", &cfg.DateOrder}, {"decimal_separator", &cfg.DecimalSeparator}}
	for _, s := range settings {
		if v, ok := top[s.key]; ok {
			if err := decodeInto(v, s.target, s.key); err != nil {
				return cfg, err
			}
		}
	}
	var fields []json.RawMessage
	if v, ok := top["fields"]; ok {
		if err := decodeInto(v, &fields, "fields"); err != nil {
			return cfg, err
		}
	}
	if fields == nil {
		return cfg, &ConfigError{Field: "fields", Message: "is required (an empty list is allowed)"}
	}
	cfg.Fields = make([]FieldConfig, len(fields))
	for i, f := range fields {
		path := fmt.Sprintf("fields[%d]", i)
		if _, err := objectKeys(f, path, fieldKeys...); err != nil {
			return cfg, err
		}
		if err := decodeInto(f, &cfg.Fields[i], path); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// fieldKeys are the keys a field object may have.
var fieldKeys = []string{"name", "type", "labels", "regex", "required", "currency", "date_order", "decimal_separator"}

// objectKeys returns the members of the JSON object raw, or a *ConfigError
// when raw is not an object or has a key not in allowed.
func objectKeys(raw json.RawMessage, path string, allowed ...string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, &ConfigError{Field: path, Message: "invalid JSON: " + syn.Error()}
		}
		return nil, &ConfigError{Field: path, Message: "must be a JSON object"}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			return nil, &ConfigError{Field: join(path, k), Message: fmt.Sprintf("unknown setting; want one of %v", allowed)}
		}
	}
	return m, nil
}

// decodeInto decodes raw into v, turning a type mismatch into a
// *ConfigError with the setting's path.
func decodeInto(raw json.RawMessage, v any, path string) error {
	err := json.NewDecoder(bytes.NewReader(raw)).Decode(v)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te):
		return &ConfigError{Field: join(path, te.Field), Message: fmt.Sprintf("must be %s, not %s", jsonTypeName(te.Type), te.Value)}
	}
	return &ConfigError{Field: path, Message: "invalid JSON: " + err.Error()}
}

// join appends key to the setting path.
func join(path, key string) string {
	switch {
	case key == "":
		return path
	case path == "":
		return key
	}
	return path + "." + key
}

// jsonTypeName names the JSON type that decodes into t.
func jsonTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Float64, reflect.Float32, reflect.Int, reflect.Int64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonTypeName(t.Elem())
	}
	return "an object"
}

package processor

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewConfigErrors(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", MaxFieldNameSize+1)
	tests := []struct {
		name   string
		typ    Type
		config string
		want   ConfigError
	}{
		{"unknown processor type", "SUMMARIZE", `{}`, ConfigError{"type", `unknown processor type "SUMMARIZE"; want EXTRACT, CLASSIFY or SPLIT`}},
		{"no config", TypeExtract, ``, ConfigError{"", "a JSON object is required"}},
		{"null config", TypeExtract, `null`, ConfigError{"", "must be a JSON object"}},
		{"invalid JSON", TypeExtract, `{"fields": [}`, ConfigError{"", "invalid JSON: invalid character '}' looking for beginning of value"}},
		{"config is an array", TypeExtract, `[]`, ConfigError{"", "must be a JSON object"}},
		{"missing fields", TypeExtract, `{}`, ConfigError{"fields", "is required (an empty list is allowed)"}},
		{"null fields", TypeExtract, `{"fields": null}`, ConfigError{"fields", "is required (an empty list is allowed)"}},
		{"fields is not an array", TypeExtract, `{"fields": {}}`, ConfigError{"fields", "must be an array, not object"}},
		{"unknown top-level setting", TypeExtract, `{"fields": [], "treshold": 1}`, ConfigError{"treshold", "unknown setting; want one of [fields review_threshold date_order decimal_separator]"}},
		{"threshold above 1", TypeExtract, `{"fields": [], "review_threshold": 1.5}`, ConfigError{"review_threshold", "must be between 0 and 1"}},
		{"threshold is a string", TypeExtract, `{"fields": [], "review_threshold": "high"}`, ConfigError{"review_threshold", "must be a number, not string"}},
		{"bad date order", TypeExtract, `{"fields": [], "date_order": "YDM"}`, ConfigError{"date_order", `unknown date order "YDM"; want DMY or MDY`}},
		{"bad decimal separator", TypeExtract, `{"fields": [], "decimal_separator": ";"}`, ConfigError{"decimal_separator", `";" is not a decimal separator; want "." or ","`}},
		{"field is not an object", TypeExtract, `{"fields": ["total"]}`, ConfigError{"fields[0]", "must be a JSON object"}},
		{"unknown field setting", TypeExtract, `{"fields": [{"name": "a", "lables": ["A"]}]}`, ConfigError{"fields[0].lables", "unknown setting; want one of [name type labels regex required currency date_order decimal_separator]"}},
		{"missing name", TypeExtract, `{"fields": [{"labels": ["Total"]}]}`, ConfigError{"fields[0].name", "is required"}},
		{"name with a space", TypeExtract, `{"fields": [{"name": "total due", "labels": ["Total"]}]}`, ConfigError{"fields[0].name", `"total due" must start with a letter or _ and hold only letters, digits and _`}},
		{"name with __", TypeExtract, `{"fields": [{"name": "total__x", "labels": ["Total"]}]}`, ConfigError{"fields[0].name", `"total__x" must not contain "__", which export column suffixes use`}},
		{"name too long", TypeExtract, `{"fields": [{"name": "` + long + `", "labels": ["Total"]}]}`, ConfigError{"fields[0].name", "is longer than 64 characters"}},
		{"name is a number", TypeExtract, `{"fields": [{"name": 5}]}`, ConfigError{"fields[0].name", "must be a string, not number"}},
		{"duplicate names", TypeExtract, `{"fields": [{"name": "a", "labels": ["A"]}, {"name": "b", "labels": ["B"]}, {"name": "a", "labels": ["C"]}]}`, ConfigError{"fields[2].name", `duplicate name "a" (also fields[0])`}},
		{"unknown type", TypeExtract, `{"fields": [{"name": "a", "type": "integer", "labels": ["A"]}]}`, ConfigError{"fields[0].type", `unknown type "integer"; want string, number, date or money`}},
		{"no labels nor regex", TypeExtract, `{"fields": [{"name": "a", "type": "number"}]}`, ConfigError{"fields[0]", "needs labels, a regex or both"}},
		{"empty labels and regex", TypeExtract, `{"fields": [{"name": "a", "labels": [], "regex": ""}]}`, ConfigError{"fields[0]", "needs labels, a regex or both"}},
		{"labels is a string", TypeExtract, `{"fields": [{"name": "a", "labels": "Total"}]}`, ConfigError{"fields[0].labels", "must be an array, not string"}},
		{"blank label", TypeExtract, `{"fields": [{"name": "a", "labels": ["Total", " : "]}]}`, ConfigError{"fields[0].labels[1]", "must not be empty"}},
		{"label too long", TypeExtract, `{"fields": [{"name": "a", "labels": ["` + strings.Repeat("ab ", 40) + `"]}]}`, ConfigError{"fields[0].labels[0]", "is longer than 100 characters"}},
		{"bad regex", TypeExtract, `{"fields": [{"name": "a", "regex": "INV-(\\d+"}]}`, ConfigError{"fields[0].regex", "invalid regular expression: missing closing ): `(?m)INV-(\\d+`"}},
		{"regex matching the empty string", TypeExtract, `{"fields": [{"name": "a", "regex": "\\d*"}]}`, ConfigError{"fields[0].regex", "matches the empty string, so it would match anywhere"}},
		{"currency on a number", TypeExtract, `{"fields": [{"name": "a", "type": "number", "labels": ["A"], "currency": "EUR"}]}`, ConfigError{"fields[0].currency", "only applies to money fields"}},
		{"unknown currency", TypeExtract, `{"fields": [{"name": "a", "type": "money", "labels": ["A"], "currency": "EURO"}]}`, ConfigError{"fields[0].currency", `"EURO" is not an ISO 4217 currency code`}},
		{"date order on a string", TypeExtract, `{"fields": [{"name": "a", "labels": ["A"], "date_order": "MDY"}]}`, ConfigError{"fields[0].date_order", "only applies to date fields"}},
		{"decimal separator on a date", TypeExtract, `{"fields": [{"name": "a", "type": "date", "labels": ["A"], "decimal_separator": ","}]}`, ConfigError{"fields[0].decimal_separator", "only applies to number and money fields"}},
		{"required is a string", TypeExtract, `{"fields": [{"name": "a", "labels": ["A"], "required": "yes"}]}`, ConfigError{"fields[0].required", "must be true or false, not string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := New(tt.typ, json.RawMessage(tt.config))
			var cerr *ConfigError
			if !errors.As(err, &cerr) {
				t.Fatalf("New = %v, %v; want a *ConfigError", p, err)
			}
			if diff := cmp.Diff(tt.want, *cerr); diff != "" {
				t.Errorf("New config error mismatch (-want +got):\n%s", diff)
			}
			if verr := ValidateConfig(tt.typ, json.RawMessage(tt.config)); verr == nil || verr.Error() != err.Error() {
				t.Errorf("ValidateConfig = %v, want %v", verr, err)
			}
		})
	}
}

func TestNewValidConfigs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config string
	}{
		{"the documented example", `{"fields":[{"name":"invoice_number","type":"string","labels":["Invoice No","Invoice #"],"regex":"INV-\\d+","required":true},
			{"name":"total","type":"money","labels":["Total"],"currency":"EUR"},
			{"name":"date","type":"date","labels":["Date"]},
			{"name":"qty","type":"number","regex":"Qty:\\s*(\\d+)"}],
			"review_threshold":0.7}`},
		{"no fields", `{"fields": []}`},
		{"type defaults to string", `{"fields": [{"name": "ref", "labels": ["Ref"]}]}`},
		{"every option", `{"fields": [{"name": "_amount", "type": "money", "labels": ["Amount"], "currency": "chf", "decimal_separator": ","},
			{"name": "d", "type": "date", "regex": "\\d+/\\d+/\\d+", "date_order": "MDY"}],
			"review_threshold": 0, "date_order": "DMY", "decimal_separator": "."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := ValidateConfig(TypeExtract, json.RawMessage(tt.config)); err != nil {
				t.Errorf("ValidateConfig: %v", err)
			}
		})
	}
}

func TestConfigErrorMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *ConfigError
		want string
	}{
		{&ConfigError{Field: "fields[1].regex", Message: "bad"}, "invalid processor config: fields[1].regex: bad"},
		{&ConfigError{Message: "must be a JSON object"}, "invalid processor config: must be a JSON object"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

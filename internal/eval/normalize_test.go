package eval

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheaf-dev/sheaf/internal/processor"
)

func TestNormString(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"  Lieferant   GmbH\n":     "lieferant gmbh",
		"MUSTER-KUNDE GMBH":        "muster-kunde gmbh",
		"Kundenstraße 15":          "kundenstrasse 15", // case folding: ß is ss
		"Ｆｕｌｌ\u00a0width":          "full width",       // NFKC
		"MVM Musterhafter\nVerein": "mvm musterhafter verein",
		"":                         "",
	} {
		if got := normString(in); got != want {
			t.Errorf("normString(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"DE12 1234 4321 9876 00": "de1212344321987600",
		"1 2 3 – 4 5 – 6 7 8 9":  "123456789",
		"123-45-6789":            "123456789",
		"DE 232 446 240":         "de232446240",
		"#BLR_WFLD2015":          "blrwfld2015",
	} {
		if got := normID(in); got != want {
			t.Errorf("normID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, order, want string
		ok              bool
	}{
		{"2018-03-05", "DMY", "2018-03-05", true},
		{"2018-03-05T10:00:00Z", "", "2018-03-05", true},
		{"20180305", "", "2018-03-05", true},
		{"05.03.2018", "MDY", "2018-03-05", true}, // dots are day first whatever the order
		{"04-15-1974", "MDY", "1974-04-15", true},
		{"04-15-1974", "DMY", "1974-04-15", true}, // 15 cannot be a month
		{"8/20/2020", "DMY", "2020-08-20", true},
		{"01/03/2024", "DMY", "2024-03-01", true},
		{"01/03/2024", "MDY", "2024-01-03", true},
		{"1/3/24", "DMY", "2024-03-01", true},
		{"1/3/85", "DMY", "1985-03-01", true},
		{"March 1, 2024", "", "2024-03-01", true},
		{"1 Mar 2024", "", "2024-03-01", true},
		{"01-Mar-2024", "", "2024-03-01", true},
		{"31.02.2024", "", "", false},
		{"1.1.10000", "", "", false}, // found by FuzzNormDate
		{"not a date", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		got, ok := normDate(tt.in, tt.order)
		if got != tt.want || ok != tt.ok {
			t.Errorf("normDate(%q, %q) = %q, %v; want %q, %v", tt.in, tt.order, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNormAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"473.00", "473", true},
		{"1.234,56", "1234.56", true},
		{"15.387,08", "15387.08", true},
		{"1,234.56", "1234.56", true},
		{"€1.234,50", "1234.5", true},
		{"1 234,56 EUR", "1234.56", true},
		{"1'234.56", "1234.56", true},
		{"-529,87", "-529.87", true},
		{"529,87-", "-529.87", true},
		{"(12.00)", "-12", true},
		{"-0,00", "0", true},
		{"$4,500", "4500", true}, // one separator before three digits groups thousands
		{"2000,00", "2000", true},
		{"0.01", "0.01", true},
		{"0.001", "0.001", true},       // a leading 0 groups nothing
		{"1234.567", "1234.567", true}, // nor do four digits
		{"1.234", "1234", true},        // English readers beware: ambiguous, read as grouped
		{"1,5", "1.5", true},
		{"USD", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := normAmount(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("normAmount(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRender(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   any
		want string
		num  bool
	}{
		{nil, "", false},
		{"text", "text", false},
		{4.11, "4.11", true},
		{0.1 + 0.2, "0.3", true},
		{1939.0, "1939", true},
		{7, "7", true},
		{json.Number("316.830"), "316.83", true},
		{processor.Money{Amount: -529.87, Currency: "EUR"}, "-529.87", true},
		{[]any{"a", 1.0}, "a, 1", false},
		{true, "true", false},
	}
	for _, tt := range tests {
		got, num := render(tt.in)
		if got != tt.want || num != tt.num {
			t.Errorf("render(%#v) = %q, %v; want %q, %v", tt.in, got, num, tt.want, tt.num)
		}
	}
}

func TestCompareValues(t *testing.T) {
	t.Parallel()
	type result struct {
		Want, Got string
		Exact     bool
	}
	tests := []struct {
		name       string
		mode, ord  string
		want, got  any
		wantResult result
	}{
		{"money equals a German amount", compareAmount, "", "529.87", processor.Money{Amount: 529.87}, result{"529.87", "529.87", true}},
		{"amount off by a cent", compareAmount, "", "529.87", 529.86, result{"529.87", "529.86", false}},
		{"date in US order", compareDate, "MDY", "04-15-1974", "1974-04-15", result{"1974-04-15", "1974-04-15", true}},
		{"string case and spaces", compareString, "", "Kunden AG  Mitte", "kunden ag mitte", result{"kunden ag mitte", "kunden ag mitte", true}},
		{"IBAN with spaces", compareID, "", "DE12 1234 5678 9012 3456 78", "DE12123456789012345678", result{"de12123456789012345678", "de12123456789012345678", true}},
		{"nothing extracted", compareString, "", "Lieferant GmbH", nil, result{"lieferant gmbh", "", false}},
		{"unreadable date falls back to text", compareDate, "", "soon", "Soon", result{"soon", "soon", true}},
		{"unreadable date never equals a date", compareDate, "", "2018-03-05", "5 Marz", result{"2018-03-05", "5 marz", false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, g, ok := compareValues(tt.mode, tt.ord, tt.want, tt.got)
			if diff := cmp.Diff(tt.wantResult, result{w, g, ok}); diff != "" {
				t.Errorf("compareValues (-want +got):\n%s", diff)
			}
		})
	}
}

// canonicalAmount is normAmount's output form.
var canonicalAmount = regexp.MustCompile(`^(0|-?[1-9][0-9]*(\.[0-9]*[1-9])?|-?0\.[0-9]*[1-9])$`)

// FuzzNormAmount checks that normAmount never panics and returns
// canonical decimals. The seed 0.,001 once read as 1.
func FuzzNormAmount(f *testing.F) {
	for _, s := range []string{"1.234,56", "-0,00", "(12)", "1,2,3.4", "..,,", "€", "1e5", "−7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, ok := normAmount(s)
		if ok && !canonicalAmount.MatchString(out) {
			t.Errorf("normAmount(%q) = %q, not a canonical decimal", s, out)
		}
	})
}

// FuzzNormDate checks that normDate never panics and returns ISO dates.
func FuzzNormDate(f *testing.F) {
	for _, s := range []string{"05.03.2018", "1/3/24", "2018-03-05", "20180305", "March 1, 2024", "1..", "--"} {
		f.Add(s, "MDY")
	}
	f.Fuzz(func(t *testing.T, s, order string) {
		out, ok := normDate(s, order)
		if !ok {
			return
		}
		if again, ok := normDate(out, order); !ok || again != out {
			t.Errorf("normDate(%q) = %q, which reads back as %q, %v", s, out, again, ok)
		}
	})
}

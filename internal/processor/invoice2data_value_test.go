package processor

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestI2DParseNumber(t *testing.T) {
	t.Parallel()
	dot := &i2dOptions{decimal: "."}
	comma := &i2dOptions{decimal: ","}
	tests := []struct {
		o    *i2dOptions
		in   string
		want float64
		ok   bool
	}{
		{dot, "1234.5", 1234.5, true},
		{dot, "1,234.56", 1234.56, true},
		{dot, " 12 ", 12, true},
		{dot, "1'234.5", 1234.5, true},
		{dot, "-3.5", -3.5, true},
		{dot, "1.2.3", 0, false},
		{comma, "1.234,56", 1234.56, true},
		{comma, "1 234,56", 1234.56, true},
		{comma, "1\u00a0234,5", 1234.5, true},
		{comma, "12,5,0", 0, false},
		{dot, "abc", 0, false},
		{dot, "", 0, false},
		{dot, "inf", 0, false},
		{dot, "NaN", 0, false},
		{dot, "0x10", 0, false},
		{dot, "1_000", 0, false},
		{dot, "1e3", 1000, true},
	}
	for _, tc := range tests {
		got, err := tc.o.parseNumber(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseNumber(%q, decimal %q) = %v, %v; want %v, ok %v", tc.in, tc.o.decimal, got, err, tc.want, tc.ok)
		}
	}
}

func TestI2DParseDate(t *testing.T) {
	t.Parallel()
	formats := func(fs ...string) []strptimeFormat {
		var out []strptimeFormat
		for _, f := range fs {
			sf, err := compileStrptime(f)
			if err != nil {
				t.Fatalf("compileStrptime(%q): %v", f, err)
			}
			out = append(out, sf)
		}
		return out
	}
	mdy := &i2dOptions{dateOrder: DateOrderMDY}
	dmy := &i2dOptions{dateOrder: DateOrderDMY}
	tests := []struct {
		o    *i2dOptions
		in   string
		want any
	}{
		{&i2dOptions{dateFormats: formats("%d.%m.%Y")}, "01.03.2024", "2024-03-01"},
		{&i2dOptions{dateFormats: formats("%d %B %Y")}, "2 juillet 2015", "2015-07-02"},
		{&i2dOptions{dateFormats: formats("%d %B %Y")}, "2  July   2015", "2015-07-02"},
		{&i2dOptions{dateFormats: formats("%B %d, %Y")}, "August 3, 2014", "2014-08-03"},
		{&i2dOptions{dateFormats: formats("%d-%m-%y")}, "31-12-68", "2068-12-31"},
		{&i2dOptions{dateFormats: formats("%d-%m-%y")}, "31-12-69", "1969-12-31"},
		{&i2dOptions{dateFormats: formats("%d/%m/%Y %H:%M")}, "05/04/2023 13:45", "2023-04-05"},
		{&i2dOptions{dateFormats: formats("%A %d %b %Y")}, "Monday 1 Jan 2024", "2024-01-01"},
		{&i2dOptions{dateFormats: formats("%d.%m.%Y"), dateOrder: DateOrderMDY}, "02/03/2024", "2024-02-03"},
		{mdy, "August 3 , 2014", "2014-08-03"},
		{mdy, "01/03/2024", "2024-01-03"},
		{dmy, "01/03/2024", "2024-03-01"},
		{dmy, "2024-03-01", "2024-03-01"},
		{dmy, "1er Juillet 2015", "2015-07-01"},
		{dmy, "31.02.2024", nil},
		{dmy, "tomorrow", nil},
		{dmy, "", nil},
	}
	for _, tc := range tests {
		got, err := tc.o.parseDate(tc.in)
		if got != tc.want || (err == nil) != (tc.want != nil) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if _, err := compileStrptime("%d.%Q"); err == nil {
		t.Error("compileStrptime(%Q) = nil error")
	}
}

func TestI2DGroupValues(t *testing.T) {
	t.Parallel()
	nums := []any{2.0, 0.0, 10.5, 3.0}
	strs := []any{"b", "", "a", "c"}
	tests := []struct {
		vals  []any
		group string
		want  any
	}{
		{nums, "sum", 15.5},
		{nums, "min", 2.0},
		{nums, "max", 10.5},
		{nums, "first", 2.0},
		{nums, "last", 3.0},
		{nums, "join", "2 10.5 3"},
		{strs, "min", "a"},
		{strs, "max", "c"},
		{strs, "join", "b a c"},
		{[]any{0.1, 0.2}, "sum", 0.3},
	}
	for _, tc := range tests {
		got, err := groupValues(tc.vals, tc.group)
		if err != nil || !cmp.Equal(got, tc.want) {
			t.Errorf("groupValues(%v, %s) = %v, %v; want %v", tc.vals, tc.group, got, err, tc.want)
		}
	}
	if _, err := groupValues(strs, "sum"); err == nil {
		t.Error("sum of strings: nil error")
	}
	if _, err := groupValues([]any{"", 0.0}, "first"); err == nil {
		t.Error("group of empty values: nil error")
	}
}

package processor

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/currency"
)

// currencySymbol maps a currency symbol to the ISO 4217 codes it may stand
// for, the most common first.
type currencySymbol struct {
	symbol string
	codes  []string
}

// currencySymbols lists the symbols money fields recognise, longer symbols
// before their suffixes ("US$" before "$").
var currencySymbols = []currencySymbol{
	{"US$", []string{"USD"}}, {"AU$", []string{"AUD"}}, {"CA$", []string{"CAD"}}, {"NZ$", []string{"NZD"}},
	{"HK$", []string{"HKD"}}, {"A$", []string{"AUD"}}, {"C$", []string{"CAD"}}, {"S$", []string{"SGD"}},
	{"R$", []string{"BRL"}}, {"$", []string{"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"}},
	{"€", []string{"EUR"}}, {"£", []string{"GBP"}}, {"¥", []string{"JPY", "CNY"}}, {"￥", []string{"JPY", "CNY"}},
	{"₹", []string{"INR"}}, {"Rs.", []string{"INR", "PKR", "LKR", "NPR"}}, {"Rs", []string{"INR", "PKR", "LKR", "NPR"}},
	{"₽", []string{"RUB"}}, {"₩", []string{"KRW"}}, {"₺", []string{"TRY"}}, {"₪", []string{"ILS"}},
	{"₫", []string{"VND"}}, {"₱", []string{"PHP"}}, {"₴", []string{"UAH"}}, {"₦", []string{"NGN"}}, {"฿", []string{"THB"}},
	{"zł", []string{"PLN"}}, {"Kč", []string{"CZK"}}, {"Ft", []string{"HUF"}}, {"lei", []string{"RON"}},
	{"Fr.", []string{"CHF"}}, {"kr.", []string{"DKK", "SEK", "NOK", "ISK"}}, {"kr", []string{"SEK", "NOK", "DKK", "ISK"}},
}

// findMoney finds an amount with an optional currency before or after it
// ("€ 1.234,56", "-$12", "1 234,56 EUR", "EUR1,234.56") in s: at its start
// when anchored, else the first one that starts a word. Without a currency
// in the text the amount takes def.
func findMoney(s string, anchored bool, decimal byte, def string) (valueMatch, bool) {
	for i := 0; i < len(s); i++ {
		if anchored && i > 0 {
			break
		}
		if !wordStart(s, i) && !strings.HasPrefix(s[i:], "-") {
			continue
		}
		if m, ok := moneyAt(s, i, decimal, def); ok {
			return m, true
		}
	}
	return valueMatch{}, false
}

// moneyAt reads money at s[i:].
func moneyAt(s string, i int, decimal byte, def string) (valueMatch, bool) {
	j, neg := i, false
	if strings.HasPrefix(s[j:], "-") {
		if _, size := currencyAt(s, j+1); size > 0 {
			neg, j = true, j+1
		}
	}
	codes, size := currencyAt(s, j)
	if size > 0 {
		j += size
		j += len(s[j:]) - len(strings.TrimPrefix(s[j:], " "))
	}
	n, ok := numberAt(s, j, decimal)
	if !ok || (size == 0 && n.start != i) {
		return valueMatch{}, false
	}
	end := n.end
	if size == 0 {
		rest := strings.TrimPrefix(s[end:], " ")
		if c, sz := currencyAt(rest, 0); sz > 0 {
			codes, end = c, end+(len(s[end:])-len(rest))+sz
		}
	}
	if neg {
		n.value = -n.value
	}
	code, defaulted := pickCurrency(codes, def)
	m := Money{Amount: n.value, Currency: code}
	return valueMatch{value: m, key: formatNumber(m.Amount) + " " + m.Currency, start: i, end: end, defaulted: n.defaulted || defaulted}, true
}

// pickCurrency returns the currency among codes: def when it is one of them,
// else the first, marked defaulted when there were several. Without codes it
// is def.
func pickCurrency(codes []string, def string) (string, bool) {
	switch {
	case len(codes) == 0:
		return def, false
	case len(codes) == 1:
		return codes[0], false
	}
	for _, c := range codes {
		if c == def {
			return c, false
		}
	}
	return codes[0], true
}

// currencyAt returns the currencies of the symbol or ISO 4217 code at s[j:]
// and its length, or a length of 0. Codes must be upper case and stand
// alone, so that words such as "ALL" inside text do not become currencies
// unless they touch an amount.
func currencyAt(s string, j int) ([]string, int) {
	rest := s[j:]
	for _, cs := range currencySymbols {
		if strings.HasPrefix(rest, cs.symbol) && (!isLetterSymbol(cs.symbol) || !letterAt(rest, len(cs.symbol))) {
			return cs.codes, len(cs.symbol)
		}
	}
	if len(rest) < 3 || letterAt(rest, 3) || (j > 0 && letterBefore(s, j)) {
		return nil, 0
	}
	code := rest[:3]
	for k := 0; k < 3; k++ {
		if code[k] < 'A' || code[k] > 'Z' {
			return nil, 0
		}
	}
	if _, err := currency.ParseISO(code); err != nil || code == "XXX" || code == "XTS" {
		return nil, 0
	}
	return []string{code}, 3
}

// isLetterSymbol reports whether a currency symbol ends with a letter, and
// so must not be followed by one ("Ft" is not the start of "Fteam").
func isLetterSymbol(sym string) bool {
	r, _ := utf8.DecodeLastRuneInString(sym)
	return isWordRune(r)
}

// letterAt reports whether s has a letter or digit at byte offset k.
func letterAt(s string, k int) bool {
	if k >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[k:])
	return isWordRune(r) && !isDigit(s[k])
}

// letterBefore reports whether s has a letter just before byte offset j.
func letterBefore(s string, j int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:j])
	return isWordRune(r) && !(r >= '0' && r <= '9')
}

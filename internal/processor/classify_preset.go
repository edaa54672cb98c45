package processor

// PresetStandard names the built-in class set of StandardClasses.
const PresetStandard = "standard"

// StandardClasses returns the classes of the "standard" preset: invoice,
// receipt, tax_form, contract, id_document, business_card, mortgage_form,
// bank_statement and payslip (anything else is ClassOther). They are made
// of titles and keywords only, in English and, for the classes where it
// matters most, German, French, Dutch, Italian and Spanish; a description's
// everyday words ("name", "date", "total") would blur classes that
// curated keywords keep apart. The result is a fresh copy.
func StandardClasses() []ClassConfig {
	return []ClassConfig{
		{
			Name: "invoice",
			// A bill a seller sends a buyer: invoice number and date, seller and buyer, line items with quantity
			// and unit price, VAT or sales tax, the total amount due and payment terms.
			Titles: []string{"invoice", "tax invoice", "commercial invoice", "proforma invoice", "credit note", "rechnung",
				"handelsrechnung", "schlussrechnung", "abschlagsrechnung", "teilrechnung", "sammelrechnung", "gutschrift", "facture", "factuur", "fattura", "factura", "nota fiscal"},
			Keywords: []string{"invoice number", "invoice no", "invoice #", "invoice date", "invoice total", "bill to", "sold to",
				"ship to", "due date", "payment due", "amount due", "balance due", "total due", "payment terms", "net 30",
				"remit to", "unit price", "qty", "vat", "vat number", "vat id", "tax id", "subtotal", "po number",
				"purchase order", "iban", "bic", "bank transfer", "phone", "tel", "fax", "email", "e-mail",
				"thank you for your business", "line total",
				"rechnungsnummer", "rechnungsdatum", "rechnungsbetrag", "zahlbar", "fällig", "nettobetrag", "mwst", "ust",
				"ust-idnr", "ust-id-nr", "ust-id", "steuernummer", "leistungsdatum", "lieferdatum", "umsatzsteuer", "zwischensumme", "gesamtbetrag", "menge", "einzelpreis",
				"numéro de facture", "date de facture", "montant", "tva", "total ht", "total ttc",
				"factuurnummer", "factuurdatum", "vervaldatum", "btw", "totaal", "bedrag",
				"numero fattura", "partita iva", "imponibile", "iva", "totale", "importo",
				"número de factura", "fecha de factura", "base imponible"},
		},
		{
			Name: "receipt",
			// Proof of a purchase already paid at a shop, restaurant or online: merchant, items, subtotal, tax,
			// tip, total paid, payment card or cash and change.
			Titles: []string{"receipt", "sales receipt", "payment receipt", "cash receipt", "kassenbon", "quittung", "kassenbeleg", "reçu", "ticket de caisse", "kassabon", "scontrino", "ricevuta", "recibo", "ticket"},
			Keywords: []string{"receipt number", "receipt date", "thank you for your purchase", "thanks for ordering",
				"thank you for shopping", "order details", "payment method", "paid", "amount paid", "cash", "change", "tip",
				"gratuity", "tender", "cashier", "server", "table", "store", "visa", "mastercard", "amex", "debit",
				"credit card", "card number", "phone", "tel", "auth code", "approval code", "transaction", "terminal", "delivery fee",
				"service fee", "subtotal", "total charges", "items", "bar", "barzahlung", "gegeben", "rückgeld", "bezahlt",
				"espèces", "rendu", "contanti", "resto", "efectivo", "cambio", "pinnen", "wisselgeld"},
		},
		{
			Name: "tax_form",
			// A government tax form, such as the US IRS forms W-9, W-8BEN, W-2, 1099 and 1040: taxpayer
			// identification numbers, payer and recipient, wages and federal income tax withheld.
			Titles: []string{"form w-9", "form w9", "form w-8ben", "form w-8", "form w-2", "form w-4", "form 1099", "form 1040",
				"form 1098", "wage and tax statement", "request for taxpayer identification number and certification",
				"certificate of foreign status of beneficial owner", "acquisition or abandonment of secured property",
				"certain government payments", "interest income", "dividends and distributions", "miscellaneous income",
				"nonemployee compensation", "mortgage interest statement", "employee's withholding certificate",
				"u.s. individual income tax return", "tax return", "steuererklärung"},
			Keywords: []string{"w-9", "w9", "w-8ben", "w-2", "w-4", "1099", "1099-misc", "1099-int", "1099-g", "1099-a",
				"1099-nec", "1099-div", "1098", "1040", "corrected (if checked)", "internal revenue service", "irs", "department of the treasury",
				"omb no", "taxpayer identification number", "tin", "social security number", "employer identification number",
				"ein", "backup withholding", "beneficial owner", "federal income tax withheld", "state income tax",
				"social security wages", "medicare wages", "wages, tips, other compensation", "payer", "payer's",
				"recipient", "recipient's", "copy a", "copy b", "for recipient", "for payer", "tax year",
				"privacy act and paperwork reduction act notice", "exempt payee", "fatca", "treaty benefits",
				"control number", "cat. no", "calendar year", "finanzamt", "steuernummer"},
		},
		{
			Name: "contract",
			// A legal agreement between parties: who agrees to what, effective date and term, obligations,
			// payment, termination, governing law, signatures.
			Titles: []string{"agreement", "contract", "service agreement", "terms and conditions", "vertrag", "vereinbarung", "contrat", "overeenkomst", "contratto", "contrato"},
			Keywords: []string{"this agreement", "entered into", "by and between", "the parties", "party", "hereby",
				"whereas", "hereinafter", "effective date", "term of this agreement", "termination", "terminate",
				"governing law", "jurisdiction", "in witness whereof", "shall", "obligations", "indemnify",
				"indemnification", "liability", "confidentiality", "confidential information", "warranties", "breach",
				"notices", "assignment", "severability", "entire agreement", "amendment", "signature", "signed",
				"witness", "licensor", "licensee", "lessor", "lessee", "landlord", "tenant", "contractor", "vertragspartner",
				"kündigung", "gerichtsstand"},
		},
		{
			Name: "id_document",
			// An identity document: driver license, passport, national identity card or residence permit, with the
			// holder's name, date of birth, sex, document number, issue and expiry dates.
			Titles: []string{"driver license", "driver's license", "drivers license", "driving licence", "passport",
				"identity card", "id card", "identification card", "national identity card", "residence permit",
				"personalausweis", "reisepass", "führerschein", "carte d'identité", "carte nationale d'identité", "passeport",
				"aadhaar"},
			Keywords: []string{"date of birth", "dob", "year of birth", "place of birth", "sex", "nationality", "date of issue",
				"issue date", "date of expiry", "expiration date", "expires", "exp", "hgt", "height", "wgt", "eyes",
				"hair", "donor", "restrictions", "endorsements", "veteran", "real id", "federal limits apply",
				"surname", "given names", "document no", "license number", "enrollment no",
				"aadhaar no", "government of", "republic of", "geburtsdatum", "staatsangehörigkeit", "gültig bis",
				"date de naissance", "nationalité"},
		},
		{
			Name: "business_card",
			// A business card: a person's name and job title at a company, with mobile, phone, email and website.
			Keywords: []string{"mobile", "mob", "cell", "tel", "phone", "fax", "email", "e-mail", "www", "linkedin",
				"ceo", "cto", "cfo", "founder", "co-founder", "managing director", "vice president", "head of",
				"geschäftsführer"},
		},
		{
			Name: "mortgage_form",
			// A mortgage loan document: uniform residential loan application, loan estimate or closing disclosure,
			// with borrower, lender, property, loan amount, interest rate, monthly payment, escrow and closing
			// costs.
			Titles: []string{"uniform residential loan application", "closing disclosure", "loan estimate",
				"mortgage application", "loan application", "deed of trust", "promissory note"},
			Keywords: []string{"mortgage", "loan", "residential loan", "borrower", "co-borrower", "lender", "loan amount", "loan term", "loan type",
				"loan purpose", "interest rate", "annual percentage rate", "apr", "monthly payment", "principal",
				"principal & interest", "escrow", "closing costs", "cash to close", "closing date", "property",
				"property address", "subject property", "appraisal", "down payment", "refinance", "purchase price",
				"sale price", "prepayment penalty", "balloon payment", "mortgage insurance", "homeowner's insurance",
				"property taxes", "fannie mae", "freddie mac", "form 1003", "nmls", "loan originator", "conventional",
				"fha", "usda"},
		},
		{
			Name: "bank_statement",
			// A bank account statement for a period: account holder and number, opening and closing balance, a
			// list of transactions with dates, deposits, withdrawals and running balance.
			Titles: []string{"bank statement", "account statement", "statement of account", "kontoauszug",
				"relevé de compte", "rekeningafschrift", "estratto conto", "extracto bancario"},
			Keywords: []string{"statement period", "statement date", "account number", "account holder", "sort code",
				"routing number", "iban", "bic", "swift", "opening balance", "closing balance", "beginning balance",
				"ending balance", "previous balance", "new balance", "available balance", "balance brought forward",
				"balance carried forward", "deposits", "withdrawals", "credits", "debits", "direct debit",
				"standing order", "transfer", "atm", "overdraft", "interest paid", "service charge", "checking", "savings",
				"transaction date", "value date", "kontonummer", "alter kontostand", "neuer kontostand", "buchungstag",
				"wertstellung", "solde", "saldo"},
		},
		{
			Name: "payslip",
			// A pay slip or earnings statement from an employer: employee, pay period and pay date, hours and
			// rate, gross pay, deductions for taxes and benefits, net pay and year-to-date totals.
			Titles: []string{"payslip", "pay slip", "pay stub", "paystub", "earnings statement", "statement of earnings",
				"salary slip", "pay advice", "gehaltsabrechnung", "lohnabrechnung", "entgeltabrechnung",
				"bulletin de paie", "fiche de paie", "loonstrook", "busta paga"},
			Keywords: []string{"pay period", "period ending", "pay date", "payroll", "employee id", "employee number",
				"employee name", "employer", "gross pay", "net pay", "gross earnings", "net earnings", "earnings",
				"deductions", "hours", "rate", "hourly rate", "regular", "overtime", "holiday", "bonus", "salary", "ytd",
				"year to date", "this period", "federal income tax", "social security tax", "medicare tax",
				"state income tax", "401k", "pension", "net amount", "brutto", "netto", "auszahlungsbetrag",
				"lohnsteuer", "sozialversicherung", "salaire brut", "salaire net"},
		},
	}
}

package processor

// invoiceText is a one-page, invoice-like text.
const invoiceText = `ACME Supplies GmbH                                        INVOICE
Hauptstrasse 1, 10115 Berlin

Invoice No: INV-2024-0042                  Date: 01.03.2024
Customer:   Example Corp                   Due Date: 31.03.2024

Description                     Qty: 3        Unit price        Amount
Paper, A4, 500 sheets                         4,50 EUR          13,50 EUR
Toner, black                                  89,00 EUR         89,00 EUR

                                            Subtotal:          102,50 EUR
                                            VAT 19%:            19,48 EUR
                                            Total:             121,98 EUR

Payment within 30 days. Thank you for your business.
`

// invoiceConfig extracts five fields from invoiceText.
const invoiceConfig = `{"fields": [
	{"name": "invoice_number", "labels": ["Invoice No", "Invoice #"], "regex": "INV-[\\d-]+", "required": true},
	{"name": "date", "type": "date", "labels": ["Date"]},
	{"name": "total", "type": "money", "labels": ["Total"], "currency": "EUR"},
	{"name": "qty", "type": "number", "regex": "Qty:\\s*(\\d+)"},
	{"name": "po_number", "labels": ["PO Number", "Purchase Order"], "required": true}
]}`

package processor

import "strings"

// Pages of multi-page documents for the split tests (see also
// classify_testdata_test.go).

// invoiceFirstPage is page 1 of a two-page invoice; its last line says it
// goes on.
const invoiceFirstPage = `Northwind Office Supply Ltd.                               INVOICE
14 Harbour Road, Leeds LS1 4DY

Bill To:                                   Invoice No:   NW-10377
Fabrikam Design Studio                     Invoice Date: 11/03/2024
22 Mill Lane, York YO1 7HU                 Due Date:     10/04/2024

Item   Description                    Qty    Unit Price      Amount
A-114  Recycled copy paper, A4         40        4.20        168.00
B-220  Gel pens, blue (box of 12)      12        6.50         78.00
C-031  Desk organiser                   4       18.90         75.60
D-870  Whiteboard markers (set)         6        9.10         54.60

                                              Continued on next page
`

// invoiceContinuationPage is page 2 of that invoice: more items and the
// totals, no header.
const invoiceContinuationPage = `(continued)
Item   Description                    Qty    Unit Price      Amount
E-412  Archive boxes                   20        2.75         55.00
F-009  Stapler, heavy duty              2       24.00         48.00

                                            Subtotal:        479.20
                                            VAT 20%:          95.84
                                            Amount Due:   GBP 575.04

Payment terms: 30 days net. Please pay by bank transfer.
`

// invoiceRepeatedHeaderPage is page 2 of the invoice NW-10377 as some
// systems print it: the header again, no page numbers.
const invoiceRepeatedHeaderPage = `Northwind Office Supply Ltd.                               INVOICE
Invoice No: NW-10377                              Invoice Date: 11/03/2024

Item   Description                    Qty    Unit Price      Amount
E-412  Archive boxes                   20        2.75         55.00
F-009  Stapler, heavy duty              2       24.00         48.00

                                            Subtotal:        479.20
                                            VAT 20%:          95.84
                                            Amount Due:   GBP 575.04
`

// contractTitlePage is the cover of a contract.
const contractTitlePage = `



                        MASTER SERVICES AGREEMENT

                                 between

                          Bluebird Analytics Inc.

                                   and

                        Harper & Lee Advisory LLP


                            Dated 1 June 2024
`

// contractBodyPage is the first page of terms after the cover: no title.
const contractBodyPage = `This Master Services Agreement (the "Agreement") is entered into as of 1 June
2024 by and between Bluebird Analytics Inc. ("Client") and Harper & Lee
Advisory LLP ("Consultant").

1. Services. The Consultant shall provide the services set out in each
   statement of work agreed by the Parties in writing.
2. Term. This Agreement continues for two years from the Effective Date.
3. Confidentiality. Each party shall protect the other's confidential
   information with reasonable care.
4. Termination. Either party may terminate this Agreement for material breach
   on thirty days' written notice.
5. Governing Law. This Agreement is governed by the laws of England.
`

// invoiceWithNumber returns a one-page invoice of the same vendor with the
// given invoice number, as consecutive invoices in a bundle are.
func invoiceWithNumber(no string) string {
	return strings.Replace(invoicePage, "NW-10293", no, 1)
}

// withFooter appends a page footer.
func withFooter(page, footer string) string {
	return page + "\n\n" + strings.Repeat(" ", 60) + footer + "\n"
}

// secondPayslipPage is another employee's pay slip.
const secondPayslipPage = `ACME CORP                                          EARNINGS STATEMENT
Employee: Jonas Weber            Employee ID: 20588
Pay period: 03/01/2024 - 03/15/2024          Pay date: 03/20/2024

Earnings          Rate     Hours    This period     Year to date
Regular          38.00     80.00       3,040.00        15,200.00
Gross pay                              3,040.00        15,200.00

Deductions
Federal income tax                       456.00         2,280.00
Social security tax                      188.48           942.40
Medicare tax                              44.08           220.40

Net pay                                2,351.44        11,757.20
`

// bankStatementSecondPage continues bankStatementPage.
const bankStatementSecondPage = `First Riverside Bank                       Account number: 0042 7781 9930

Date     Description                          Withdrawals  Deposits  Balance
04/29    Card payment - Grocer                     62.10            4,610.15
04/30    Interest paid                                         1.12 4,611.27

Closing balance                                                  4,611.27
`

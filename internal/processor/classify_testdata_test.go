package processor

// Documents the classification and split tests are built from, one page
// each unless their name says otherwise. They are written for these tests
// and read like the real thing: headers, columns, small print.

const invoicePage = `Northwind Office Supply Ltd.                               INVOICE
14 Harbour Road, Leeds LS1 4DY
VAT Reg. GB 123 4567 89

Bill To:                                   Invoice No:   NW-10293
Fabrikam Design Studio                     Invoice Date: 04/02/2024
22 Mill Lane, York YO1 7HU                 Due Date:     05/03/2024

Item   Description                    Qty    Unit Price      Amount
A-114  Recycled copy paper, A4         10        4.20         42.00
B-220  Gel pens, blue (box of 12)       3        6.50         19.50
C-031  Desk organiser                   1       18.90         18.90

                                            Subtotal:         80.40
                                            VAT 20%:          16.08
                                            Amount Due:    GBP 96.48

Payment terms: 30 days net. Please pay by bank transfer to
IBAN GB29 NWBK 6016 1331 9268 19, quoting the invoice number.
`

const rechnungPage = `Müller & Söhne GmbH · Lindenallee 7 · 50667 Köln

Firma Beispiel AG                                  Rechnung
Hauptstraße 12
80331 München                              Rechnungsnummer: 2024-0815
                                           Rechnungsdatum:  12.03.2024
                                           Kundennummer:    K-4711

Pos.  Bezeichnung                 Menge   Einzelpreis   Gesamtpreis
1     Wartung Heizungsanlage          1      240,00 €      240,00 €
2     Dichtungssatz                   2       18,50 €       37,00 €

                                  Nettobetrag              277,00 €
                                  zzgl. 19 % USt.           52,63 €
                                  Rechnungsbetrag          329,63 €

Zahlbar innerhalb von 14 Tagen ohne Abzug.
`

const receiptPage = `        CORNER CAFE & BAKERY
      118 Elm Street, Springfield
         Tel 555-0142

   SALES RECEIPT        #  004417
   03/14/2024  08:42   Cashier: Dana

   2  Cappuccino             7.90
   1  Blueberry muffin       3.25
   1  Bagel w/ cream cheese  4.10

   Subtotal                 15.25
   Sales tax 8%              1.22
   TOTAL                    16.47

   VISA ****1234            16.47
   Auth code 0A4F21
   Change                    0.00

   Thank you for your purchase!
`

const w9Page = `Form W-9                Request for Taxpayer                      Give Form to the
(Rev. October 2018)     Identification Number and Certification   requester. Do not
Department of the Treasury                                        send to the IRS.
Internal Revenue Service

 1 Name (as shown on your income tax return)
   Jordan Avery Consulting LLC
 2 Business name/disregarded entity name, if different from above

 3 Check appropriate box for federal tax classification:
   [ ] Individual/sole proprietor   [X] C Corporation   [ ] S Corporation
 4 Exemptions: Exempt payee code (if any)        Exemption from FATCA reporting code

 5 Address (number, street, and apt. or suite no.)
   410 Lakeview Drive, Suite 200

Part I   Taxpayer Identification Number (TIN)
Enter your TIN in the appropriate box. The TIN provided must match the name
given on line 1 to avoid backup withholding.
   Social security number           or     Employer identification number
   [   ][  ][    ]                         [ 8 4 - 1 2 3 4 5 6 7 ]

Part II  Certification
Under penalties of perjury, I certify that the number shown on this form is my
correct taxpayer identification number.
`

const contractPage = `                     CONSULTING SERVICES AGREEMENT

This Consulting Services Agreement (the "Agreement") is entered into as of
1 June 2024 (the "Effective Date") by and between Bluebird Analytics Inc.
("Client") and Harper & Lee Advisory LLP ("Consultant"), together the Parties.

WHEREAS the Client wishes to obtain advice on its data strategy, the Parties
hereby agree as follows:

1. Services. The Consultant shall provide the services described in Exhibit A.
2. Term. This Agreement begins on the Effective Date and continues for twelve
   months unless terminated earlier under Section 6.
3. Fees. The Client shall pay the fees set out in Exhibit B within thirty days.
4. Confidentiality. Each party shall keep the other's confidential information
   secret and use it only to perform this Agreement.
5. Liability. Neither party shall be liable for indirect or consequential loss.
6. Termination. Either party may terminate this Agreement on thirty days'
   written notice.
7. Governing Law. This Agreement is governed by the laws of the State of New York.
`

const contractSignaturePage = `8. Entire Agreement. This Agreement is the entire agreement between the Parties
   and supersedes all prior discussions.

IN WITNESS WHEREOF, the Parties have signed this Agreement on the dates below.

Bluebird Analytics Inc.                  Harper & Lee Advisory LLP

By: ______________________               By: ______________________
Name: Maria Chen                         Name: Thomas Harper
Title: Chief Operating Officer           Title: Managing Partner
Date: 3 June 2024                        Date: 4 June 2024
`

const bankStatementPage = `First Riverside Bank                                   Account Statement
PO Box 900, Riverside CA 92501

Account holder: Samuel Ortiz              Account number: 0042 7781 9930
Statement period: 01 Apr 2024 - 30 Apr 2024

Opening balance                                                  2,310.45

Date     Description                          Withdrawals  Deposits  Balance
04/02    Direct debit - City Power                 84.20            2,226.25
04/05    Salary - Acme Corp                                3,150.00 5,376.25
04/11    ATM withdrawal 5th Street                200.00            5,176.25
04/19    Transfer to savings                      500.00            4,676.25
04/28    Service charge                             4.00            4,672.25

Closing balance                                                  4,672.25
`

const payslipPage = `ACME CORP                                          EARNINGS STATEMENT
Employee: Priya Natarajan        Employee ID: 20417
Pay period: 03/01/2024 - 03/15/2024          Pay date: 03/20/2024

Earnings          Rate     Hours    This period     Year to date
Regular          42.00     80.00       3,360.00        16,800.00
Overtime         63.00      4.00         252.00           756.00
Gross pay                              3,612.00        17,556.00

Deductions
Federal income tax                       541.80         2,633.40
Social security tax                      223.94         1,088.47
Medicare tax                              52.37           254.56
401k                                     180.60           877.80

Net pay                                2,613.29        12,701.77
`

const driverLicensePage = `STATE OF OREGON              DRIVER LICENSE
DL NO  7749021                 CLASS C
EXP 09/30/2029                 ISS 09/30/2021
LN  MORALES
FN  ELENA GRACE
1420 NW PINE ST
PORTLAND OR 97209
DOB 05/12/1988      SEX F      HGT 5-06      EYES BRN
RESTRICTIONS NONE              ENDORSEMENTS NONE
DONOR
`

const businessCardPage = `Rafael Souza
Head of Partnerships
Lumen Robotics

Mobile +1 415 555 0199
Email rafael.souza@lumenrobotics.com
www.lumenrobotics.com
LinkedIn /in/rafaelsouza
`

const closingDisclosurePage = `Closing Disclosure         This form is a statement of final loan terms and closing costs.

Closing Information              Transaction Information          Loan Information
Date Issued   04/12/2024         Borrower  Dana and Lee Park      Loan Term   30 years
Closing Date  04/18/2024         Seller    Oak Homes LLC          Purpose     Purchase
Property      88 Birch Lane      Lender    Summit Mortgage Co.    Loan Type   Conventional
Sale Price    $450,000

Loan Terms
Loan Amount                 $360,000
Interest Rate               6.25 %
Monthly Principal & Interest $2,216.58
Prepayment Penalty          NO
Balloon Payment             NO

Projected Payments: Mortgage Insurance $0, Estimated Escrow $412.00
Cash to Close               $98,540.12
`

const gibberishPage = `Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod
tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam,
quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo.
qwzx plorn vretha smulk dranvex 4471 kjh zzt mople frin
`

const meetingNotesPage = `Team offsite - notes

We met on Thursday to plan the spring garden party. Ideas: a barbecue,
lawn games and a short walk to the lake. Sam will ask the neighbours about
parking; Alex books the marquee. Next meeting: after the holidays.
`

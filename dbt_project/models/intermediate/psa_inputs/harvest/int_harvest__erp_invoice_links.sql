-- Which ERP invoice a Harvest invoice is: firms that raise invoices in Harvest push them to accounting through
-- Harvest's integration, which keeps the invoice number. A Harvest invoice links to the ERP invoice with the
-- same document number (the ERP's transaction_number: NetSuite tranid, QuickBooks doc_number); a number no
-- ERP invoice carries links to nothing (its time then counts as unbilled in the ERP, as it is).
with harvest_invoices as (
    select harvest_invoice_id, invoice_number
    from {{ ref('stg_harvest__invoices') }}
    where invoice_number is not null
),

erp_invoices as (
    select transaction_number, min(transaction_id) as erp_invoice_id
    from {{ throughline.erp_input('transactions') }}
    where transaction_type = 'invoice' and transaction_number is not null
    group by transaction_number
)

select
    h.harvest_invoice_id,
    h.invoice_number,
    e.erp_invoice_id
from harvest_invoices as h
inner join erp_invoices as e on e.transaction_number = h.invoice_number

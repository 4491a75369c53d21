{#- I4: intercompany pair whose counterparties do not mirror each other: the bill's vendor must represent the invoicing subsidiary, the invoice's customer the billed subsidiary, and both sides must be in the same transaction currency. -#}
with pairs as (
    select * from {{ ref('int_erp_intercompany_pairs_matched') }}
)
select
    {{ throughline.recon_columns(
        check_id="'I4'", source_system="'netsuite'", source_object="'transaction'",
        record_key=throughline.recon_json([('id', 'invoice_transaction_id', 'number')]),
        related_keys=throughline.recon_json([('bill', 'bill_transaction_id', 'number'),
            ('invoice_subsidiary', 'invoice_subsidiary_id', 'number'),
            ('bill_subsidiary', 'bill_subsidiary_id', 'number')]),
        client_key='client_key', project_key='project_key', legal_entity_key='legal_entity_key',
        currency_code='invoice_currency_code', expected_amount='invoice_total', actual_amount='bill_total',
        difference_amount='null', amount_at_risk='abs(invoice_total)',
        amount_at_risk_reporting='(abs(invoice_total)) * invoice_rate_to_reporting', event_date='invoice_date'
    ) }}
from pairs
where bill_transaction_id is not null and (
        coalesce(vendor_represents_subsidiary_id, '-1') <> coalesce(invoice_subsidiary_id, '-2')
        or coalesce(customer_represents_subsidiary_id, '-1') <> coalesce(bill_subsidiary_id, '-2')
        or bill_currency_code <> invoice_currency_code)

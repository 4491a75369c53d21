{#- I2: intercompany bill whose total (transaction currency) differs from its invoice's total by more than the larger of var recon_i2_tolerance_amount and var recon_i2_tolerance_pct of the invoice total. -#}
with pairs as (
    select * from {{ ref('int_erp_intercompany_pairs_matched') }}
)
select
    {{ throughline.recon_columns(
        check_id="'I2'", source_system="'netsuite'", source_object="'transaction'",
        record_key=throughline.recon_json([('id', 'invoice_transaction_id', 'number')]),
        related_keys=throughline.recon_json([('bill', 'bill_transaction_id', 'number'),
            ('invoice_subsidiary', 'invoice_subsidiary_id', 'number'),
            ('bill_subsidiary', 'bill_subsidiary_id', 'number')]),
        client_key='client_key', project_key='project_key', legal_entity_key='legal_entity_key',
        currency_code='invoice_currency_code', expected_amount='invoice_total', actual_amount='bill_total',
        difference_amount='bill_total - invoice_total', amount_at_risk='abs(bill_total - invoice_total)',
        amount_at_risk_reporting='(abs(bill_total - invoice_total)) * invoice_rate_to_reporting', event_date='invoice_date'
    ) }}
from pairs
where bill_transaction_id is not null and bill_currency_code = invoice_currency_code
    and abs(bill_total - invoice_total) > greatest({{ var('recon_i2_tolerance_amount') }}, {{ var('recon_i2_tolerance_pct') }} * abs(invoice_total))

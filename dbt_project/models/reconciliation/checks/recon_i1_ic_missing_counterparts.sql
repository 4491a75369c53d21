{#- I1: intercompany invoice with no counterpart vendor bill (linked either way) once the invoice is older than var recon_i1_window_days days (the buying entity books the recharge within that window). The whole invoice is unmatched in the elimination. -#}
with pairs as (
    select * from {{ ref('int_erp_intercompany_pairs_matched') }}
)
select
    {{ throughline.recon_columns(
        check_id="'I1'", source_system="'netsuite'", source_object="'transaction'",
        record_key=throughline.recon_json([('id', 'invoice_transaction_id', 'number')]),
        related_keys=throughline.recon_json([('bill', 'bill_transaction_id', 'number'),
            ('invoice_subsidiary', 'invoice_subsidiary_id', 'number'),
            ('bill_subsidiary', 'bill_subsidiary_id', 'number')]),
        client_key='client_key', project_key='project_key', legal_entity_key='legal_entity_key',
        currency_code='invoice_currency_code', expected_amount='invoice_total', actual_amount='null',
        difference_amount='null', amount_at_risk='abs(invoice_total)',
        amount_at_risk_reporting='(abs(invoice_total)) * invoice_rate_to_reporting', event_date='invoice_date'
    ) }}
from pairs
where bill_transaction_id is null
    and invoice_date < {{ dbt.dateadd('day', -var('recon_i1_window_days'), throughline.recon_detected_on('netsuite')) }}

{#- I5: intercompany bill that matches its invoice in transaction currency (within the I2 tolerance) but is translated at an exchange rate more than var recon_i5_rate_tolerance_pct away from the spot rate of the invoice date (bill currency to the buying entity's functional currency): the pair no longer eliminates in the group currency although no entry is missing. -#}
with pairs as (
    select * from {{ ref('int_erp_intercompany_pairs_matched') }}
)
select
    {{ throughline.recon_columns(
        check_id="'I5'", source_system="'netsuite'", source_object="'transaction'",
        record_key=throughline.recon_json([('id', 'invoice_transaction_id', 'number')]),
        related_keys=throughline.recon_json([('bill', 'bill_transaction_id', 'number'),
            ('invoice_subsidiary', 'invoice_subsidiary_id', 'number'),
            ('bill_subsidiary', 'bill_subsidiary_id', 'number')]),
        client_key='client_key', project_key='project_key', legal_entity_key='legal_entity_key',
        currency_code='invoice_currency_code', expected_amount='invoice_date_spot_rate', actual_amount='bill_exchange_rate',
        difference_amount='bill_exchange_rate - invoice_date_spot_rate', amount_at_risk='abs(invoice_total * (bill_exchange_rate - invoice_date_spot_rate) / invoice_date_spot_rate)',
        amount_at_risk_reporting='(abs(invoice_total * (bill_exchange_rate - invoice_date_spot_rate) / invoice_date_spot_rate)) * invoice_rate_to_reporting', event_date='invoice_date'
    ) }}
from pairs
where bill_transaction_id is not null and bill_currency_code = invoice_currency_code
    and abs(bill_total - invoice_total) <= greatest({{ var('recon_i2_tolerance_amount') }}, {{ var('recon_i2_tolerance_pct') }} * abs(invoice_total))
    and abs(bill_exchange_rate - invoice_date_spot_rate) > {{ var('recon_i5_rate_tolerance_pct') }} * invoice_date_spot_rate

{#- E3: a payment application that takes an invoice's settlements above its total: credits applied to the
    invoice (counted at most up to the invoice total: credits above it are E2_EXCEEDS_INVOICE's break)
    plus payments applied up to and including this one exceed the total by more than var
    recon_e3_tolerance. -#}
with payments as (
    select * from {{ ref('int_erp_applications_sequenced') }} where application_type = 'payment'
),

settled as (
    select
        p.*,
        least(p.credits_applied_total, p.invoice_total) + p.cumulative_payments as settled_amount
    from payments as p
),

over_applied as (
    select
        s.*,
        s.settled_amount - s.invoice_total as excess,
        row_number() over (partition by s.applying_transaction_id order by s.invoice_transaction_id, s.application_id)
            as rn
    from settled as s
    where s.settled_amount > s.invoice_total + {{ var('recon_e3_tolerance') }}
)

select
    {{ throughline.recon_columns(
        check_id="'E3'", source_system="'netsuite'", source_object="'transaction'",
        record_key=throughline.recon_json([('id', 'applying_transaction_id', 'number')]),
        related_keys=throughline.recon_json([('invoice', 'invoice_transaction_id', 'number'),
            ('tranid', 'invoice_number', 'string')]),
        client_key='client_key', project_key='project_key', legal_entity_key='legal_entity_key',
        currency_code='invoice_currency_code', expected_amount='invoice_total', actual_amount='settled_amount',
        difference_amount='excess', amount_at_risk='least(excess, applied_amount)',
        amount_at_risk_reporting='least(excess, applied_amount) * invoice_rate_to_reporting',
        event_date='application_date'
    ) }}
from over_applied
where rn = 1

{#- E2: credit memo integrity. A credit memo must be linked to an invoice (E2_UNLINKED), must not take the
    credits applied to the invoice above its total (E2_EXCEEDS_INVOICE, tolerance var recon_e2_tolerance)
    and must be in the invoice's currency (E2_CURRENCY). -#}
with credit_memos as (
    select * from {{ ref('int_erp_documents_resolved') }}
    where transaction_type = 'credit_memo' and not is_voided
),

applications as (
    select * from {{ ref('int_erp_applications_sequenced') }} where application_type = 'credit_memo'
),

created_from as (
    select distinct transaction_id
    from {{ throughline.erp_input('transaction_lines') }}
    where created_from_transaction_id is not null
),

unlinked as (
    select c.*
    from credit_memos as c
    where not exists (select 1 from applications as a where a.applying_transaction_id = c.transaction_id)
        and not exists (select 1 from created_from as f where f.transaction_id = c.transaction_id)
),

-- The application that takes cumulative credits above the invoice total, and every later one.
exceeding as (
    select
        a.*,
        a.cumulative_credits - a.invoice_total as excess,
        row_number() over (partition by a.applying_transaction_id order by a.invoice_transaction_id, a.application_id)
            as rn
    from applications as a
    where a.cumulative_credits > a.invoice_total + {{ var('recon_e2_tolerance') }}
),

currency as (
    select
        a.*,
        row_number() over (partition by a.applying_transaction_id order by a.invoice_transaction_id, a.application_id)
            as rn
    from applications as a
    where a.applying_currency_code <> a.invoice_currency_code
)

select
    {{ throughline.recon_columns(
        check_id="'E2_UNLINKED'", source_system="'netsuite'", source_object="'transaction'",
        record_key=throughline.recon_json([('id', 'transaction_id', 'number')]),
        related_keys=throughline.recon_json([('tranid', 'transaction_number', 'string')]),
        client_key='client_key', project_key='project_key', legal_entity_key='legal_entity_key',
        currency_code='transaction_currency_code', actual_amount='total_amount',
        amount_at_risk='abs(total_amount)',
        amount_at_risk_reporting='abs(total_amount) * transaction_rate_to_reporting', event_date='transaction_date'
    ) }}
from unlinked
union all
select
    {{ throughline.recon_columns(
        check_id="'E2_EXCEEDS_INVOICE'", source_system="'netsuite'", source_object="'transaction'",
        record_key=throughline.recon_json([('id', 'applying_transaction_id', 'number')]),
        related_keys=throughline.recon_json([('invoice', 'invoice_transaction_id', 'number'),
            ('tranid', 'invoice_number', 'string')]),
        client_key='client_key', project_key='project_key', legal_entity_key='legal_entity_key',
        currency_code='invoice_currency_code', expected_amount='invoice_total', actual_amount='cumulative_credits',
        difference_amount='excess', amount_at_risk='least(excess, applied_amount)',
        amount_at_risk_reporting='least(excess, applied_amount) * invoice_rate_to_reporting',
        event_date='application_date'
    ) }}
from exceeding
where rn = 1
union all
select
    {{ throughline.recon_columns(
        check_id="'E2_CURRENCY'", source_system="'netsuite'", source_object="'transaction'",
        record_key=throughline.recon_json([('id', 'applying_transaction_id', 'number')]),
        related_keys=throughline.recon_json([('invoice', 'invoice_transaction_id', 'number'),
            ('invoice_currency', 'invoice_currency_code', 'string'),
            ('credit_currency', 'applying_currency_code', 'string')]),
        client_key='client_key', project_key='project_key', legal_entity_key='legal_entity_key',
        currency_code='invoice_currency_code', actual_amount='applied_amount',
        amount_at_risk='abs(applied_amount)',
        amount_at_risk_reporting='abs(applied_amount) * invoice_rate_to_reporting', event_date='application_date'
    ) }}
from currency
where rn = 1

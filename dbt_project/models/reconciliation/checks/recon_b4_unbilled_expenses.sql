{#- B4: approved billable expense with no invoice link, past the billing run that should have recharged it
    (day var('recon_b4_billing_run_day') of the first month after the month spent in, once approved before the
    run) plus var('recon_b4_grace_days'). Declared in _checks__models.yml. -#}
{%- set run_day = var('recon_b4_billing_run_day') | int %}
{%- set grace_days = var('recon_b4_grace_days') | int %}
{%- set reporting = "'" ~ var('reporting_currency') ~ "'" %}

with approved_expenses as (
    select
        e.*,
        s.approved_at,
        cast({{ dbt.dateadd('day', run_day - 1, dbt.dateadd('month', 1, dbt.date_trunc('month',
            'greatest(e.spent_date, ' ~ dbt.dateadd('day', 1 - run_day,
                'cast(coalesce(s.approved_at, e.spent_date) as date)') ~ ')'))) }} as date) as billing_run_date
    from {{ ref('fct_expenses') }} as e
    inner join {{ throughline.psa_input('expenses') }} as s on e.expense_id = s.expense_id
    where e.is_approved and e.is_billable and e.erp_invoice_id is null
        and e.billable_amount_transaction > 0
),

breaks as (
    select a.*
    from approved_expenses as a
    where {{ dbt.dateadd('day', grace_days, 'a.billing_run_date') }} < {{ throughline.recon_detected_on('psa') }}
)

select
    {{ throughline.recon_columns(
        check_id="'B4'",
        source_system="'psa'",
        source_object="'expenses'",
        record_key=throughline.recon_json([('id', 'b.expense_id', 'number')]),
        related_keys=throughline.recon_json([
            ('project_id', 'b.psa_project_id', 'number'),
            ('resource_id', 'b.psa_resource_id', 'number'),
            ('spent_date', 'b.spent_date', 'string'),
            ('category', 'b.expense_category', 'string'),
            ('billing_run_date', 'b.billing_run_date', 'string')]),
        client_key='b.client_key',
        project_key='b.project_key',
        legal_entity_key='b.legal_entity_key',
        currency_code='b.transaction_currency_code',
        expected_amount='b.billable_amount_transaction',
        actual_amount='0',
        difference_amount='-b.billable_amount_transaction',
        amount_at_risk='b.billable_amount_transaction',
        amount_at_risk_reporting='b.billable_amount_transaction * ' ~ throughline.fx_rate('fx', 'b.transaction_currency_code', reporting),
        event_date='b.billing_run_date',
    ) }}
from breaks as b
{{ throughline.join_spot_rate('fx', 'b.transaction_currency_code', reporting, 'b.billing_run_date') }}

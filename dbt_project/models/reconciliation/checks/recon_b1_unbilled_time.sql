{#- B1: approved billable T&M time with no invoice link, past the billing run that should have invoiced it.
    Declared (logic, window, parameters) in _checks__models.yml. The billing run on day
    var('recon_b1_billing_run_day') of each month invoices time worked in earlier months and approved before
    the run; the break starts var('recon_b1_grace_days') days after that run. Value above a not-to-exceed cap
    (running value of the project's approved billable time, by work date) is a write-down candidate, not
    unbilled time, and is left out. -#}
{%- set run_day = var('recon_b1_billing_run_day') | int %}
{%- set grace_days = var('recon_b1_grace_days') | int %}

with tm_projects as (
    select project_id, nte_amount
    from {{ throughline.psa_input('projects') }}
    where contract_type = 'time_and_materials'
),

-- Approved billable time with no invoice link: the candidates, with every column the break reports.
unlinked_time as (
    select
        t.*,
        p.nte_amount
    from {{ ref('fct_time_entries') }} as t
    inner join tm_projects as p on t.psa_project_id = p.project_id
    where t.is_approved and t.is_billable and t.bill_rate is not null
        and t.erp_invoice_id is null and t.hours > 0
),

-- Running value of ALL the approved billable time (linked or not) of each capped project, by work date: only
-- capped projects need it, and it carries only the key, so the window sorts little (docs/performance.md).
capped_running_value as (
    select
        t.time_entry_id,
        sum(t.hours * t.bill_rate) over (
            partition by t.psa_project_id
            order by t.spent_date, cast(t.time_entry_id as {{ dbt.type_bigint() }})
            rows between unbounded preceding and current row
        ) as cumulative_value
    from {{ ref('fct_time_entries') }} as t
    inner join tm_projects as p on t.psa_project_id = p.project_id
    where t.is_approved and t.is_billable and t.bill_rate is not null and p.nte_amount is not null
),

unbilled as (
    select
        a.*,
        {# the first billing run after the work month that is at least run_day - 1 days after approval #}
        cast({{ dbt.dateadd('day', run_day - 1, dbt.dateadd('month', 1, dbt.date_trunc('month',
            'greatest(a.spent_date, ' ~ dbt.dateadd('day', 1 - run_day,
                'cast(coalesce(a.approved_at, a.spent_date) as date)') ~ ')'))) }} as date) as billing_run_date
    from unlinked_time as a
    left join capped_running_value as c on a.time_entry_id = c.time_entry_id
    where a.nte_amount is null or c.cumulative_value <= a.nte_amount
),

breaks as (
    select u.*
    from unbilled as u
    where {{ dbt.dateadd('day', grace_days, 'u.billing_run_date') }} < {{ throughline.recon_detected_on('psa') }}
)

select
    {{ throughline.recon_columns(
        check_id="'B1'",
        source_system="'psa'",
        source_object="'time_entries'",
        record_key=throughline.recon_json([('id', 'b.time_entry_id', 'number')]),
        related_keys=throughline.recon_json([
            ('project_id', 'b.psa_project_id', 'number'),
            ('resource_id', 'b.psa_resource_id', 'number'),
            ('spent_date', 'b.spent_date', 'string'),
            ('hours', 'b.hours', 'number'),
            ('bill_rate', 'b.bill_rate', 'number'),
            ('billing_run_date', 'b.billing_run_date', 'string')]),
        client_key='b.client_key',
        project_key='b.project_key',
        legal_entity_key='b.legal_entity_key',
        currency_code='b.transaction_currency_code',
        expected_amount='b.hours * b.bill_rate',
        actual_amount='0',
        difference_amount='-(b.hours * b.bill_rate)',
        amount_at_risk='b.hours * b.bill_rate',
        amount_at_risk_reporting='b.hours * b.bill_rate * ' ~ throughline.fx_rate('fx', 'b.transaction_currency_code', "'" ~ var('reporting_currency') ~ "'"),
        event_date='b.billing_run_date',
    ) }}
from breaks as b
{{ throughline.join_spot_rate('fx', 'b.transaction_currency_code', "'" ~ var('reporting_currency') ~ "'", 'b.billing_run_date') }}

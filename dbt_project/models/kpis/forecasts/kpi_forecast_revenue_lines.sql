{#- Revenue forecast lines as frozen at each snapshot (docs/metrics.md#revenue-forecast): one row per
    snapshot x target month x component x project (or opportunity), contract currency and reporting
    currency at the average rate of the snapshot's rate_month (the last month known then).

    Backlog (projects booked before the snapshot: sales order date, else PSA start date):
      milestone / fixed_fee_schedule  PSA billing-schedule items not accepted before the snapshot, in the
                                      month of their due date (an overdue item in the first target month);
                                      a change order's item ('Change order CO-n') only once the order was
                                      approved before the snapshot.
      time_and_materials              assignments scheduled before the snapshot: scheduled hours x bill rate.
      retainer                        the monthly amount in every month of the term (ratably).
    Pipeline: opportunities open on the snapshot date (stage rebuilt from the stage history: the last stage
      change before the snapshot), amount x stage probability, spread evenly over the delivery months;
      an opportunity whose project is already booked is backlog, not pipeline. -#}
{{ config(
    materialized=throughline.incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='snapshot_date',
    on_schema_change='append_new_columns',
    post_hook="{{ throughline.forecast_lines_drop_past_nightly('int_forecast_targets') }}"
) }}


with targets as (  -- tonight's snapshots only: the lines of the others are frozen (macros/kpis/forecast_lines.sql)
    select t.* from {{ ref('int_forecast_targets') }} as t
    where {{ throughline.forecast_snapshot_to_build('t') }}
),

projects as (
    select
        p.project_key,
        p.client_key,
        p.legal_entity_key,
        coalesce(p.practice_id, '-1') as practice_id,
        p.contract_type,
        p.currency_code as transaction_currency_code,
        p.retainer_monthly_amount,
        p.start_date,
        p.end_date,
        coalesce(c.contract_date, p.start_date) as booked_date
    from {{ ref('dim_project') }} as p
    left join {{ ref('dim_contract') }} as c on p.contract_key = c.contract_key and not c.is_amendment
    where not p.is_unknown and p.is_billable
        and p.contract_type in ('time_and_materials', 'fixed_fee', 'milestone', 'retainer')
),

schedule_items as (
    {#- a change order's billing item exists from the order's approval; other items from the booking -#}
    select
        m.project_id as project_key,
        m.amount,
        m.due_date,
        coalesce(m.accepted_date, m.completed_date) as settled_date,
        co.approved_date as change_order_approved_date
    from {{ throughline.psa_input('milestones') }} as m
    left join {{ ref('int_change_orders_approved') }} as co
        on m.project_id = co.project_id and m.milestone_name = 'Change order ' || co.change_order_number
    where m.due_date is not null
),

schedule_lines as (
    select
        t.snapshot_date, t.horizon_months, t.target_month, t.rate_month,
        case when p.contract_type = 'milestone' then 'milestone' else 'fixed_fee_schedule' end as component,
        p.project_key, cast(null as {{ dbt.type_string() }}) as opportunity_id,
        p.client_key, p.legal_entity_key, p.practice_id, p.transaction_currency_code,
        sum(i.amount) as amount_transaction
    from targets as t
    inner join projects as p on p.booked_date < t.snapshot_date and p.contract_type in ('fixed_fee', 'milestone')
    inner join schedule_items as i on i.project_key = p.project_key
    where (i.settled_date is null or i.settled_date >= t.snapshot_date)
        and (i.change_order_approved_date is null or i.change_order_approved_date < t.snapshot_date)
        and (cast({{ dbt.date_trunc('month', 'i.due_date') }} as date) = t.target_month
            or (t.horizon_months = 1 and i.due_date < t.target_month))
    group by t.snapshot_date, t.horizon_months, t.target_month, t.rate_month, p.contract_type, p.project_key,
        p.client_key, p.legal_entity_key, p.practice_id, p.transaction_currency_code
),

tm_lines as (
    select
        t.snapshot_date, t.horizon_months, t.target_month, t.rate_month,
        'time_and_materials' as component,
        p.project_key, cast(null as {{ dbt.type_string() }}) as opportunity_id,
        p.client_key, p.legal_entity_key, p.practice_id, p.transaction_currency_code,
        sum(round(a.scheduled_hours * a.bill_rate, 2)) as amount_transaction
    from targets as t
    inner join {{ ref('int_forecast_assignment_months') }} as a
        on a.month_start = t.target_month and a.modified_at < t.snapshot_date
    inner join projects as p
        on a.project_key = p.project_key and p.booked_date < t.snapshot_date
        and p.contract_type = 'time_and_materials'
    group by t.snapshot_date, t.horizon_months, t.target_month, t.rate_month, p.project_key,
        p.client_key, p.legal_entity_key, p.practice_id, p.transaction_currency_code
),

retainer_lines as (
    select
        t.snapshot_date, t.horizon_months, t.target_month, t.rate_month,
        'retainer' as component,
        p.project_key, cast(null as {{ dbt.type_string() }}) as opportunity_id,
        p.client_key, p.legal_entity_key, p.practice_id, p.transaction_currency_code,
        p.retainer_monthly_amount as amount_transaction
    from targets as t
    inner join projects as p
        on p.booked_date < t.snapshot_date and p.contract_type = 'retainer'
        and t.target_month between cast({{ dbt.date_trunc('month', 'p.start_date') }} as date)
            and cast({{ dbt.date_trunc('month', 'p.end_date') }} as date)
    where p.retainer_monthly_amount is not null
),

-- Each stage change of an opportunity holds until its next change (a window over the history, once), so the
-- stage on a snapshot date is a join, not a ranking of every change before every snapshot.
stage_spans as (
    select
        h.opportunity_id, h.stage_category, h.amount, h.probability, h.changed_at,
        lead(h.changed_at) over (partition by h.opportunity_id
            order by h.changed_at, h.opportunity_history_id) as next_changed_at
    from {{ ref('int_crm__opportunity_history') }} as h
),

stage_at_snapshot as (
    {#- the opportunity's stage on the snapshot date: its last stage change before it -#}
    select t.snapshot_date, h.opportunity_id, h.stage_category, h.amount, h.probability
    from (select distinct snapshot_date from targets) as t
    inner join stage_spans as h
        on h.changed_at < t.snapshot_date
        and (h.next_changed_at is null or h.next_changed_at >= t.snapshot_date)
),

pipeline_lines as (
    select
        t.snapshot_date, t.horizon_months, t.target_month, t.rate_month,
        'pipeline' as component,
        cast(null as {{ dbt.type_string() }}) as project_key, o.opportunity_id,
        o.client_key, o.legal_entity_key, '-1' as practice_id, o.transaction_currency_code,
        round(s.amount * s.probability / 100.0
            / ({{ months_between(dbt.date_trunc('month', 'o.delivery_start_date'),
                dbt.date_trunc('month', 'o.delivery_end_date')) }} + 1), 2) as amount_transaction
    from stage_at_snapshot as s
    inner join {{ ref('fct_opportunities') }} as o on s.opportunity_id = o.opportunity_id
    inner join targets as t
        on t.snapshot_date = s.snapshot_date
        and t.target_month between cast({{ dbt.date_trunc('month', 'o.delivery_start_date') }} as date)
            and cast({{ dbt.date_trunc('month', 'o.delivery_end_date') }} as date)
    left join projects as p on o.project_key = p.project_key and p.booked_date < s.snapshot_date
    where s.stage_category = 'open' and p.project_key is null
        and o.delivery_start_date is not null and o.delivery_end_date >= o.delivery_start_date
),

lines as (
    select * from schedule_lines
    union all
    select * from tm_lines
    union all
    select * from retainer_lines
    union all
    select * from pipeline_lines
)

select
    l.snapshot_date,
    l.horizon_months,
    l.target_month,
    l.component,
    l.component <> 'pipeline' as is_backlog,
    l.project_key,
    l.opportunity_id,
    l.client_key,
    l.legal_entity_key,
    l.practice_id,
    l.transaction_currency_code,
    cast(l.amount_transaction as numeric(18, 2)) as amount_transaction,
    {{ fx_rate_to_reporting('fx_r', 'l.transaction_currency_code', 'average_rate') }} as fx_rate_to_reporting,
    cast({{ throughline.round_double('l.amount_transaction * '
        ~ fx_rate_to_reporting('fx_r', 'l.transaction_currency_code', 'average_rate')) }} as numeric(18, 2))
        as amount_reporting,
    {{ kpi_definition_version('forecasts') }} as definition_version
from lines as l
{{ join_periodic_rate('fx_r', 'l.transaction_currency_code', reporting_currency_literal(), 'l.rate_month') }}
where l.amount_transaction <> 0

{#- Revenue recognised per contract (PSA project) and closed month, definition var('revrec_definition_version')
    ("revrec v1", docs/model/revenue-and-ar.md), in the contract currency:
      time_and_materials -> right_to_invoice: approved billable hours x bill rate, cumulative capped at the NTE;
      fixed_fee          -> cost_to_cost: cumulative approved cost / EAC cost (<= 1) x contract value;
      milestone          -> milestone_acceptance: milestone amount in the month it was accepted;
      retainer           -> ratable: contract value x months elapsed / months in the term.
    Every method is computed cumulatively and period revenue is the month-on-month difference, so estimate
    changes show as catch-ups. Months run from the contract's first month to the last closed month
    (month end <= as-of date). -#}

{%- set as_of = finance_as_of_date('revrec_as_of_date',
    "select max(spent_date) from " ~ throughline.psa_input('time_entries') ~ " where time_entry_status = 'approved'") %}

with as_of as (
    select
        {{ as_of }} as as_of_date,
        {#- last month whose month end is on or before the as-of date -#}
        cast({{ dbt.date_trunc('month', dbt.dateadd('day', 1, as_of)) }} as date) as first_open_month
),

change_orders as (
    select project_id, sum(amount_change) as approved_change_amount
    from {{ throughline.psa_input('change_orders') }}
    where change_order_status = 'approved' and approved_date is not null
    group by project_id
),

contracts as (
    select
        p.project_id,
        p.erp_sales_order_id,
        p.crm_opportunity_id,
        p.legal_entity_code,
        p.contract_type,
        p.currency_code as contract_currency_code,
        p.start_date,
        p.end_date,
        {%- if var('revrec_budget_includes_change_orders') %}
        p.budget_amount as contract_value,
        p.nte_amount as nte_cap_amount,
        {%- else %}
        p.budget_amount + coalesce(co.approved_change_amount, 0) as contract_value,
        p.nte_amount + coalesce(co.approved_change_amount, 0) as nte_cap_amount,
        {%- endif %}
        coalesce(p.eac_cost, p.budget_cost) as eac_cost,
        p.retainer_monthly_amount,
        case p.contract_type
            when 'time_and_materials' then 'right_to_invoice'
            when 'fixed_fee' then 'cost_to_cost'
            when 'milestone' then 'milestone_acceptance'
            when 'retainer' then 'ratable'
        end as revenue_method
    from {{ throughline.psa_input('projects') }} as p
    left join change_orders as co on p.project_id = co.project_id
    where p.contract_type in ('time_and_materials', 'fixed_fee', 'milestone', 'retainer')
),

approved_time as (
    select
        t.project_id,
        cast({{ dbt.date_trunc('month', 't.spent_date') }} as date) as revenue_month,
        t.spent_date,
        t.hours,
        coalesce(t.is_billable, false) and t.bill_rate is not null as is_billable,
        {#- per-entry values as fixed-point decimals so monthly sums are exact and reruns identical -#}
        cast(t.hours * t.bill_rate
            * {{ fx_rate('fx_bill', 't.currency_code', 'c.contract_currency_code') }}
            as {{ throughline.amount_type() }}) as billable_value,
        cast(t.hours * t.cost_rate
            * {{ fx_rate('fx_cost', 't.cost_currency_code', 'c.contract_currency_code') }}
            as {{ throughline.amount_type() }}) as cost_value
    from {{ throughline.psa_input('time_entries') }} as t
    inner join contracts as c on t.project_id = c.project_id
    {{ join_spot_rate('fx_bill', 't.currency_code', 'c.contract_currency_code', 't.spent_date') }}
    {{ join_spot_rate('fx_cost', 't.cost_currency_code', 'c.contract_currency_code',
        throughline.month_end('t.spent_date')) }}
    where t.time_entry_status = 'approved'
),

time_by_month as (
    select
        project_id,
        revenue_month,
        sum(case when is_billable then hours else 0 end) as approved_billable_hours,
        sum(case when is_billable then billable_value else 0 end) as billable_value,
        sum(hours) as approved_hours,
        sum(cost_value) as approved_cost,
        max(case when (is_billable and billable_value is null) or cost_value is null then 1 else 0 end)
            as has_missing_fx
    from approved_time
    group by project_id, revenue_month
),

accepted_milestones as (
    select
        m.project_id,
        cast({{ dbt.date_trunc('month', 'm.accepted_date') }} as date) as revenue_month,
        sum(m.amount) as accepted_amount,
        count(*) as accepted_milestones
    from {{ throughline.psa_input('milestones') }} as m
    where m.accepted_date is not null
    group by 1, 2
),

bounds as (
    select
        c.project_id,
        cast({{ dbt.date_trunc('month', 'coalesce(least(c.start_date, min(a.revenue_month), min(m.revenue_month)), '
            'c.start_date, min(a.revenue_month), min(m.revenue_month))') }} as date) as first_month,
        cast({{ dbt.date_trunc('month', 'coalesce(greatest(c.end_date, max(a.revenue_month), max(m.revenue_month)), '
            'c.end_date, max(a.revenue_month), max(m.revenue_month))') }} as date) as last_month
    from contracts as c
    left join time_by_month as a on c.project_id = a.project_id
    left join accepted_milestones as m on c.project_id = m.project_id
    group by c.project_id, c.start_date, c.end_date
),

months as (
    {{ month_starts("(select min(first_month) from bounds)",
        "(select " ~ dbt.dateadd('day', -1, 'first_open_month') ~ " from as_of)") }}
),

spine as (
    select b.project_id, m.month_start as revenue_month
    from bounds as b
    inner join months as m
        on m.month_start >= b.first_month and m.month_start <= b.last_month
    cross join as_of
    where m.month_start < as_of.first_open_month
),

cumulative as (
    select
        s.project_id,
        s.revenue_month,
        coalesce(t.approved_billable_hours, 0) as approved_billable_hours,
        coalesce(t.approved_hours, 0) as approved_hours,
        coalesce(t.billable_value, 0) as billable_value,
        coalesce(t.approved_cost, 0) as approved_cost,
        coalesce(t.has_missing_fx, 0) = 1 as has_missing_fx,
        coalesce(m.accepted_amount, 0) as accepted_milestone_amount,
        sum(coalesce(t.billable_value, 0)) over (
            partition by s.project_id order by s.revenue_month rows between unbounded preceding and current row
        ) as cumulative_billable_value,
        sum(coalesce(t.approved_cost, 0)) over (
            partition by s.project_id order by s.revenue_month rows between unbounded preceding and current row
        ) as cumulative_cost,
        sum(coalesce(m.accepted_amount, 0)) over (
            partition by s.project_id order by s.revenue_month rows between unbounded preceding and current row
        ) as cumulative_accepted_amount
    from spine as s
    left join time_by_month as t on s.project_id = t.project_id and s.revenue_month = t.revenue_month
    left join accepted_milestones as m on s.project_id = m.project_id and s.revenue_month = m.revenue_month
),

measured as (
    select
        c.*,
        k.revenue_month,
        k.approved_billable_hours,
        k.approved_hours,
        k.billable_value,
        k.approved_cost,
        k.has_missing_fx,
        k.accepted_milestone_amount,
        k.cumulative_billable_value,
        k.cumulative_cost,
        case when c.eac_cost > 0 then least(1.0, {{ throughline.divide('k.cumulative_cost', 'c.eac_cost') }}) end as percent_complete,
        {#- months of the term elapsed at this month (1 = first term month), and months in the term -#}
        {{ months_between(dbt.date_trunc('month', 'c.start_date'), 'k.revenue_month') }} + 1 as term_month_number,
        {{ months_between(dbt.date_trunc('month', 'c.start_date'), dbt.date_trunc('month', 'c.end_date')) }} + 1
            as term_months,
        k.cumulative_accepted_amount
    from cumulative as k
    inner join contracts as c on k.project_id = c.project_id
),

{#- cumulative recognised revenue by method; the branches mix decimals and doubles, so the case is a double,
    and a T&M value of 615384.955 must round to .96 on every engine: throughline.round_half_up -#}
{%- set cumulative_recognised -%}
    case revenue_method
        when 'right_to_invoice' then
            case when nte_cap_amount is null then cumulative_billable_value
                else least(cumulative_billable_value, nte_cap_amount) end
        when 'cost_to_cost' then coalesce(percent_complete, 0) * contract_value
        when 'milestone_acceptance' then cumulative_accepted_amount
        when 'ratable' then
            case
                when term_month_number < 1 then 0
                else {{ throughline.divide('coalesce(contract_value, retainer_monthly_amount * term_months)
                    * least(term_month_number, term_months)', 'term_months') }}
            end
    end
{%- endset %}

recognised as (
    select
        *,
        {{ throughline.round_half_up(cumulative_recognised, 2) }} as cumulative_revenue
    from measured
)

select
    project_id,
    erp_sales_order_id,
    crm_opportunity_id,
    legal_entity_code,
    contract_type,
    revenue_method,
    {{ dbt.string_literal(var('revrec_definition_version')) }} as definition_version,
    revenue_month,
    {{ throughline.month_end('revenue_month') }} as month_end_date,
    contract_currency_code,
    contract_value,
    nte_cap_amount,
    eac_cost,
    approved_billable_hours,
    approved_hours,
    billable_value,
    approved_cost,
    cumulative_cost,
    case when revenue_method = 'cost_to_cost' then percent_complete end as percent_complete,
    accepted_milestone_amount,
    cast(cumulative_revenue as numeric(18, 2)) as cumulative_revenue,
    cast(cumulative_revenue - coalesce(lag(cumulative_revenue) over (
        partition by project_id order by revenue_month), 0) as numeric(18, 2)) as revenue_amount,
    {#- value beyond the cap; computed from the cap (not as value - revenue) so rounding never makes it negative -#}
    cast(case when revenue_method = 'right_to_invoice' and nte_cap_amount is not null
        then greatest(round(cumulative_billable_value, 2) - nte_cap_amount, 0) else 0 end
        as numeric(18, 2)) as cumulative_excess_over_cap,
    has_missing_fx or (revenue_method = 'cost_to_cost' and percent_complete is null) as has_measurement_gap
from recognised

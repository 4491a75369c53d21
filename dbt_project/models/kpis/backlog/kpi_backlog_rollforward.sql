{#- Backlog roll-forward: one row per month x revenue contract (the rows of kpi_backlog_monthly), explaining
    the change of the revenue-basis backlog between two month-end snapshots by source events (definition
    "backlog v1", docs/metrics.md#backlog-roll-forward, reference section 1.3):

      closing = opening + bookings + change_orders - revenue_recognized + revenue_outside_backlog
                - cancellations - completion_releases + overrun_adjustment [+ fx, reporting only] + residual

    opening      previous month-end snapshot (0 in the contract's first month)
    bookings     the booking event: the NetSuite sales order (its value, the NTE cap for capped T&M) in the
                 month of its date; without a sales order the PSA value at booking
    change_orders PSA change orders approved in the month (before the booking: in the booking month)
    revenue_recognized        fct_revenue of the month (every contract, so it ties to fct_revenue)
    revenue_outside_backlog   the same revenue added back for T&M without backlog (uncapped): it never
                              entered the backlog so it cannot leave it
    cancellations / completion_releases   backlog left when the contract is cancelled / completed
    overrun_adjustment        change of the revenue recognized beyond the value: the floor at 0 (overrun)
    fx (reporting)            translation difference: closing - opening - movements converted at the month's
                              rate; the opening balance revalued from the previous to this month's rate
    residual     closing - (opening + movements): 0 unless the sources disagree (e.g. a sales order whose
                 value differs from the PSA budget), so a residual is a data-quality break. -#}

with snapshots as (
    select * from {{ ref('kpi_backlog_monthly') }}
),

sales_orders as (
    select contract_key, contract_amount, nte_amount
    from {{ ref('dim_contract') }}
    where not is_unknown and not is_amendment
),

change_orders as (
    select project_id as project_key, approved_date, amount_change
    from {{ ref('int_change_orders_approved') }}
),

revenue as (
    select psa_project_id as project_key, revenue_month, sum(amount_transaction) as revenue_transaction
    from {{ ref('fct_revenue') }}
    group by psa_project_id, revenue_month
),

change_orders_by_month as (
    {#- a change order counts in its approval month, or in the booking month when approved earlier -#}
    select s.project_key, s.month_start_date, sum(c.amount_change) as change_orders
    from snapshots as s
    inner join change_orders as c
        on s.project_key = c.project_key
        and c.approved_date <= s.month_end_date
        and (c.approved_date >= s.month_start_date
            or s.month_start_date = cast({{ dbt.date_trunc('month', 's.booked_date') }} as date))
    where not s.is_tm_without_backlog
    group by s.project_key, s.month_start_date
),

movements as (
    select
        s.*,
        coalesce(lag(s.backlog_transaction) over w, 0) as opening,
        coalesce(lag(s.backlog_reporting) over w, 0) as opening_reporting,
        case
            when s.is_tm_without_backlog
                or s.month_start_date <> cast({{ dbt.date_trunc('month', 's.booked_date') }} as date) then 0
            when not s.has_sales_order
                then s.contract_value_transaction - s.approved_change_orders_to_date_transaction
            when s.contract_type = 'time_and_materials' then coalesce(so.nte_amount, 0)
            else coalesce(so.contract_amount, 0)
        end as bookings,
        coalesce(co.change_orders, 0) as change_orders,
        coalesce(r.revenue_transaction, 0) as revenue_recognized,
        case when s.is_tm_without_backlog then coalesce(r.revenue_transaction, 0) else 0 end
            as revenue_outside_backlog,
        case when s.exit_reason = 'cancelled' then s.released_on_exit_transaction else 0 end as cancellations,
        case when s.exit_reason = 'completed' then s.released_on_exit_transaction else 0 end as completion_releases,
        s.revenue_beyond_value_transaction - coalesce(lag(s.revenue_beyond_value_transaction) over w, 0)
            as overrun_adjustment
    from snapshots as s
    left join sales_orders as so on s.contract_key = so.contract_key
    left join change_orders_by_month as co
        on s.project_key = co.project_key and s.month_start_date = co.month_start_date
    left join revenue as r on s.project_key = r.project_key and s.month_start_date = r.revenue_month
    window w as (partition by s.project_key order by s.month_start_date)
),

reconciled as (
    select
        *,
        backlog_transaction - (opening + bookings + change_orders - revenue_recognized + revenue_outside_backlog
            - cancellations - completion_releases + overrun_adjustment) as residual
    from movements
),

{%- set lines = ['opening', 'bookings', 'change_orders', 'revenue_recognized', 'revenue_outside_backlog',
    'cancellations', 'completion_releases', 'overrun_adjustment', 'residual'] %}

converted as (
    select
        *,
        {%- for line in lines if line != 'opening' %}
        cast({{ throughline.round_double(line ~ ' * fx_rate_to_reporting') }} as numeric(18, 2)) as {{ line }}_reporting_converted,
        {%- endfor %}
        month_start_date = min(month_start_date) over (partition by project_key) as is_first_month
    from reconciled
)

select
    {{ composite_key(['project_key', 'month_start_date']) }} as backlog_rollforward_id,
    month_start_date,
    month_end_date,
    contract_key,
    project_key,
    client_key,
    legal_entity_key,
    service_line_key,
    contract_type,
    is_first_month,
    is_exit_month,
    exit_reason,
    is_tm_without_backlog,
    transaction_currency_code,
    {%- for line in lines %}
    cast({{ line }} as numeric(18, 2)) as {{ line }}_transaction,
    {%- endfor %}
    backlog_transaction as closing_transaction,
    reporting_currency_code,
    fx_rate_to_reporting,
    cast(opening_reporting as numeric(18, 2)) as opening_reporting,
    {%- for line in lines if line not in ['opening', 'residual'] %}
    {{ line }}_reporting_converted as {{ line }}_reporting,
    {%- endfor %}
    cast(backlog_reporting - opening_reporting
        {%- for line in lines if line not in ['opening'] %}
        {{ '+' if line in ['revenue_recognized', 'cancellations', 'completion_releases'] else '-' }} {{ line }}_reporting_converted
        {%- endfor %}
        as numeric(18, 2)) as fx_reporting,
    residual_reporting_converted as residual_reporting,
    backlog_reporting as closing_reporting,
    is_fx_rate_missing,
    definition_version
from converted

{#- Backlog snapshot: one row per month end x revenue contract (the PSA project, as in fct_revenue) while the
    contract is in backlog (definition "backlog v1", docs/metrics.md#backlog, reference sections 1.2, 10).

    Revenue basis:  contract value as of the month end (incl. change orders APPROVED by then)
                    - revenue recognized to date (fct_revenue as booked), floored at 0.
    T&M:            value = the remaining not-to-exceed cap (var backlog_tm_treatment = cap); uncapped T&M
                    (or every T&M with treatment = exclude) has no backlog and is flagged.
    Overrun:        what the floor hides (revenue beyond the value; for capped T&M the approved billable
                    work value beyond the cap), kept in overrun_* and is_overrun.
    Billing basis:  contract value - net fee billings to date (fct_contract_balances), floored the same way.
    A contract enters in the month it is booked (its sales order date; the PSA start date without one), or
    earlier when revenue was recognized before the booking; it leaves after the month it is cancelled or
    completed (then, or in its last revenue month if later). In that exit month the remaining backlog is
    released and the row shows 0. Months run to the last month fct_revenue has closed (and never after
    var kpi_as_of_date). Entity and reporting amounts at the month's var backlog_fx_rate_type rate (closing). -#}

{%- set tm_treatment = var('backlog_tm_treatment') %}
{%- if tm_treatment not in ['cap', 'exclude'] %}
{{ exceptions.raise_compiler_error("backlog_tm_treatment must be 'cap' or 'exclude', got '" ~ tm_treatment ~ "'") }}
{%- endif %}
{%- set rate_type = var('backlog_fx_rate_type') %}
{%- if rate_type not in ['closing', 'average'] %}
{{ exceptions.raise_compiler_error("backlog_fx_rate_type must be 'closing' or 'average', got '" ~ rate_type ~ "'") }}
{%- endif %}
{%- set rate_column = rate_type ~ '_rate' %}

with projects as (
    select
        project_key,
        contract_key,
        client_key,
        legal_entity_key,
        service_line_key,
        contract_type,
        project_status,
        currency_code as transaction_currency_code,
        budget_amount,
        nte_amount,
        retainer_monthly_amount,
        start_date,
        end_date
    from {{ ref('dim_project') }}
    where not is_unknown
        and contract_type in ('time_and_materials', 'fixed_fee', 'milestone', 'retainer')
),

sales_orders as (
    {#- the booking event: the original sales order (amendments are change orders) -#}
    select contract_key, contract_date
    from {{ ref('dim_contract') }}
    where not is_unknown and not is_amendment
),

change_orders as (
    select project_id as project_key, approved_date, amount_change
    from {{ ref('int_change_orders_approved') }}
),

change_order_totals as (
    select project_key, sum(amount_change) as approved_change_amount
    from change_orders
    group by project_key
),

revenue as (
    {#- revenue as booked (closed periods are never restated there), one row per contract x month -#}
    select psa_project_id as project_key, revenue_month, sum(amount_transaction) as revenue_transaction
    from {{ ref('fct_revenue') }}
    group by psa_project_id, revenue_month
),

work_value as (
    {#- approved billable work at bill rates (uncapped), for the T&M overrun beyond the cap -#}
    select project_id as project_key, revenue_month, sum(billable_value) as billable_value
    from {{ ref('int_revenue_by_contract_month') }}
    where contract_type = 'time_and_materials'
    group by project_id, revenue_month
),

billings as (
    select psa_project_id as project_key, month_end_date, cumulative_net_billings
    from {{ ref('fct_contract_balances') }}
),

entities as (
    select legal_entity_key, functional_currency_code
    from {{ ref('dim_legal_entity') }}
    where not is_unknown
),

last_month as (
    select
        {%- if var('kpi_as_of_date') %}
        least(max(revenue_month), cast({{ dbt.date_trunc('month', "cast('" ~ var('kpi_as_of_date') ~ "' as date)") }} as date))
        {%- else %}
        max(revenue_month)
        {%- endif %} as last_month_start
    from revenue
),

revenue_span as (
    select project_key, min(revenue_month) as first_revenue_month, max(revenue_month) as last_revenue_month
    from revenue
    group by project_key
),

lifecycle as (
    {#- when each contract enters and leaves the backlog, and its value before any change order -#}
    select
        p.*,
        coalesce(so.contract_date, p.start_date) as booked_date,
        so.contract_date is not null as has_sales_order,
        case
            when p.project_status in ('cancelled', 'canceled') then 'cancelled'
            when p.project_status in ('closed', 'completed') then 'completed'
        end as exit_reason,
        {#- value before change orders: the PSA raises budget and cap in place on approval -#}
        {%- if var('revrec_budget_includes_change_orders') %}
        coalesce(p.budget_amount, p.retainer_monthly_amount * ({{ months_between(
            dbt.date_trunc('month', 'p.start_date'), dbt.date_trunc('month', 'p.end_date')) }} + 1))
            - coalesce(co.approved_change_amount, 0) as base_value,
        p.nte_amount - coalesce(co.approved_change_amount, 0) as base_cap,
        {%- else %}
        coalesce(p.budget_amount, p.retainer_monthly_amount * ({{ months_between(
            dbt.date_trunc('month', 'p.start_date'), dbt.date_trunc('month', 'p.end_date')) }} + 1)) as base_value,
        p.nte_amount as base_cap,
        {%- endif %}
        p.contract_type = 'time_and_materials'
            and ({{ dbt.string_literal(tm_treatment) }} = 'exclude' or p.nte_amount is null) as is_tm_without_backlog,
        rs.first_revenue_month,
        rs.last_revenue_month
    from projects as p
    left join sales_orders as so on p.contract_key = so.contract_key
    left join change_order_totals as co on p.project_key = co.project_key
    left join revenue_span as rs on p.project_key = rs.project_key
),

bounded as (
    select
        *,
        cast({{ dbt.date_trunc('month', 'booked_date') }} as date) as booked_month,
        {#- entry: booking month, or the first revenue month when work was recognized before the booking -#}
        case
            when first_revenue_month is not null
                and first_revenue_month < cast({{ dbt.date_trunc('month', 'booked_date') }} as date)
                then first_revenue_month
            else cast({{ dbt.date_trunc('month', 'booked_date') }} as date)
        end as entry_month,
        {#- exit: the end month of a cancelled / completed contract, or its last revenue month if later -#}
        case
            when exit_reason is null then null
            when last_revenue_month is not null
                and last_revenue_month > cast({{ dbt.date_trunc('month', 'coalesce(end_date, booked_date)') }} as date)
                then last_revenue_month
            else cast({{ dbt.date_trunc('month', 'coalesce(end_date, booked_date)') }} as date)
        end as exit_month
    from lifecycle
    where booked_date is not null
),

months as (
    {{ month_starts("(select min(entry_month) from bounded)", "(select last_month_start from last_month)") }}
),

spine as (
    select b.*, m.month_start as month_start_date, {{ throughline.month_end('m.month_start') }} as month_end_date
    from bounded as b
    inner join months as m
        on m.month_start >= b.entry_month
        and (b.exit_month is null or m.month_start <= b.exit_month)
),

change_orders_to_date as (
    select s.project_key, s.month_start_date, sum(c.amount_change) as change_orders_to_date
    from spine as s
    inner join change_orders as c
        on s.project_key = c.project_key and c.approved_date <= s.month_end_date
    group by s.project_key, s.month_start_date
),

cumulated as (
    select
        s.*,
        coalesce(c.change_orders_to_date, 0) as change_orders_to_date,
        sum(coalesce(r.revenue_transaction, 0)) over w as recognized_to_date,
        round(sum(coalesce(wv.billable_value, 0)) over w, 2) as work_value_to_date,
        coalesce(b.cumulative_net_billings, 0) as net_billed_to_date
    from spine as s
    left join change_orders_to_date as c
        on s.project_key = c.project_key and s.month_start_date = c.month_start_date
    left join revenue as r on s.project_key = r.project_key and s.month_start_date = r.revenue_month
    left join work_value as wv on s.project_key = wv.project_key and s.month_start_date = wv.revenue_month
    left join billings as b on s.project_key = b.project_key and s.month_end_date = b.month_end_date
    window w as (partition by s.project_key order by s.month_start_date
        rows between unbounded preceding and current row)
),

valued as (
    select
        *,
        {#- value as of the month end: nothing before the booking; T&M = the cap, none without backlog -#}
        case
            when is_tm_without_backlog then null
            when month_end_date < booked_date then 0
            when contract_type = 'time_and_materials' then base_cap + change_orders_to_date
            else base_value + change_orders_to_date
        end as contract_value,
        coalesce(month_start_date = exit_month, false) as is_exit_month
    from cumulated
),

measured as (
    select
        *,
        case when is_tm_without_backlog then 0
            else greatest(contract_value - recognized_to_date, 0) end as backlog_before_exit,
        {#- revenue beyond the value: what the floor at 0 adds back (roll-forward overrun_adjustment) -#}
        case when is_tm_without_backlog then 0
            else greatest(recognized_to_date - contract_value, 0) end as revenue_beyond_value,
        case
            when is_tm_without_backlog then 0
            when contract_type = 'time_and_materials'
                then greatest(greatest(work_value_to_date, recognized_to_date) - contract_value, 0)
            else greatest(recognized_to_date - contract_value, 0)
        end as overrun,
        case when is_tm_without_backlog then 0
            else greatest(contract_value - net_billed_to_date, 0) end as billing_backlog_before_exit,
        case when is_tm_without_backlog then 0
            else greatest(net_billed_to_date - contract_value, 0) end as billing_overrun
    from valued
),

final as (
    select
        m.*,
        case when is_exit_month then 0 else backlog_before_exit end as backlog,
        case when is_exit_month then backlog_before_exit else 0 end as released_on_exit,
        case when is_exit_month then 0 else billing_backlog_before_exit end as billing_backlog,
        coalesce(e.functional_currency_code, '-1') as entity_currency_code,
        {{ fx_rate('fx_e', 'm.transaction_currency_code', 'e.functional_currency_code', rate_column) }}
            as fx_rate_to_entity,
        {{ fx_rate_to_reporting('fx_r', 'm.transaction_currency_code', rate_column) }} as fx_rate_to_reporting
    from measured as m
    left join entities as e on m.legal_entity_key = e.legal_entity_key
    {{ join_periodic_rate('fx_e', 'm.transaction_currency_code', 'e.functional_currency_code', 'm.month_start_date') }}
    {{ join_periodic_rate('fx_r', 'm.transaction_currency_code', reporting_currency_literal(), 'm.month_start_date') }}
)

select
    {{ composite_key(['project_key', 'month_start_date']) }} as backlog_snapshot_id,
    month_start_date,
    month_end_date,
    contract_key,
    project_key,
    client_key,
    legal_entity_key,
    service_line_key,
    contract_type,
    project_status,
    booked_date,
    has_sales_order,
    exit_reason,
    is_exit_month,
    is_tm_without_backlog,
    transaction_currency_code,
    cast(contract_value as numeric(18, 2)) as contract_value_transaction,
    cast(change_orders_to_date as numeric(18, 2)) as approved_change_orders_to_date_transaction,
    cast(recognized_to_date as numeric(18, 2)) as recognized_to_date_transaction,
    cast(net_billed_to_date as numeric(18, 2)) as net_billed_to_date_transaction,
    cast(backlog as numeric(18, 2)) as backlog_transaction,
    cast(released_on_exit as numeric(18, 2)) as released_on_exit_transaction,
    cast(revenue_beyond_value as numeric(18, 2)) as revenue_beyond_value_transaction,
    cast(overrun as numeric(18, 2)) as overrun_transaction,
    cast(billing_backlog as numeric(18, 2)) as billing_backlog_transaction,
    cast(billing_overrun as numeric(18, 2)) as billing_overrun_transaction,
    entity_currency_code,
    fx_rate_to_entity,
    cast({{ throughline.round_double('backlog * fx_rate_to_entity') }} as numeric(18, 2)) as backlog_entity,
    cast({{ throughline.round_double('overrun * fx_rate_to_entity') }} as numeric(18, 2)) as overrun_entity,
    cast({{ throughline.round_double('billing_backlog * fx_rate_to_entity') }} as numeric(18, 2)) as billing_backlog_entity,
    {{ reporting_currency_literal() }} as reporting_currency_code,
    fx_rate_to_reporting,
    cast({{ throughline.round_double('contract_value * fx_rate_to_reporting') }} as numeric(18, 2)) as contract_value_reporting,
    cast({{ throughline.round_double('backlog * fx_rate_to_reporting') }} as numeric(18, 2)) as backlog_reporting,
    cast({{ throughline.round_double('overrun * fx_rate_to_reporting') }} as numeric(18, 2)) as overrun_reporting,
    cast({{ throughline.round_double('billing_backlog * fx_rate_to_reporting') }} as numeric(18, 2)) as billing_backlog_reporting,
    cast({{ throughline.round_double('billing_overrun * fx_rate_to_reporting') }} as numeric(18, 2)) as billing_overrun_reporting,
    {{ dbt.string_literal(rate_type) }} as fx_rate_type,
    (fx_rate_to_entity is null or fx_rate_to_reporting is null) as is_fx_rate_missing,
    overrun > 0 as is_overrun,
    billing_overrun > 0 as is_billing_overrun,
    {{ kpi_definition_version('backlog') }} as definition_version
from final

{#- Lock-up per month end: one row per month end x legal entity, plus one consolidated 'GROUP' row per month
    end. WIP (unbilled contract assets of fct_contract_balances at the month end, closing rate) and AR (the
    ending AR of kpi_dso_monthly: intercompany out, same tax basis) against the revenue of the trailing
    var lockup_trailing_months months (fct_revenue, average rates): WIP days + debtor days = lock-up days,
    the time from work done to cash collected (reference section 4.4). Month ends up to the latest month
    with both an AR snapshot and closed revenue. Entity rows compute the days in entity currency, GROUP
    rows in reporting currency from the summed entity amounts. -#}
{%- set trailing_months = var('lockup_trailing_months') | int -%}

with ar as (
    select
        month_start_date,
        month_end_date,
        legal_entity_key,
        is_consolidated,
        entity_currency_code,
        ar_entity,
        ar_reporting
    from {{ ref('kpi_dso_monthly') }}
    where not is_consolidated
),

contract_wip as (
    {#- unbilled receivable per contract (net position when positive), at the month's closing rate -#}
    select
        month_end_date,
        legal_entity_key,
        {{ throughline.round_double('unbilled_receivable * fx_rate_to_entity') }} as wip_entity,
        {{ throughline.round_double('unbilled_receivable * fx_rate_to_reporting') }} as wip_reporting,
        unbilled_receivable <> 0 and (fx_rate_to_entity is null or fx_rate_to_reporting is null)
            as is_fx_rate_missing
    from {{ ref('fct_contract_balances') }}
),

wip as (
    select
        month_end_date,
        legal_entity_key,
        sum({{ receivables_amount('wip_entity') }}) as wip_entity,
        sum({{ receivables_amount('wip_reporting') }}) as wip_reporting,
        max(case when is_fx_rate_missing then 1 else 0 end) = 1 as is_fx_rate_missing
    from contract_wip
    group by month_end_date, legal_entity_key
),

revenue as (
    {#- revenue of the month as booked, in entity and reporting currency (average rate, cents per row) -#}
    select
        revenue_month as month_start_date,
        legal_entity_key,
        sum({{ receivables_amount('round(amount_entity, 2)') }}) as revenue_entity,
        sum({{ receivables_amount('round(amount_reporting, 2)') }}) as revenue_reporting,
        max(case when amount_entity is null or amount_reporting is null then 1 else 0 end) = 1
            as is_fx_rate_missing
    from {{ ref('fct_revenue') }}
    group by revenue_month, legal_entity_key
),

last_closed as (
    {#- the latest month with both closed revenue (contract balances) and an AR snapshot -#}
    select min(month_end_date) as month_end_date
    from (
        select max(month_end_date) as month_end_date from {{ ref('fct_contract_balances') }}
        union all
        select max(month_end_date) from ar
    ) as latest
),

entity_first_months as (
    select legal_entity_key, min(month_start_date) as first_month_start
    from (
        select legal_entity_key, month_start_date from ar
        union all
        select legal_entity_key, month_start_date from revenue
        union all
        select legal_entity_key, cast({{ dbt.date_trunc('month', 'month_end_date') }} as date) from wip
    ) as activity
    group by legal_entity_key
),

months as (
    {{ month_starts("(select min(first_month_start) from entity_first_months)",
        "(select month_end_date from last_closed)") }}
),

entities as (
    select legal_entity_key, functional_currency_code from {{ ref('dim_legal_entity') }}
),

entity_months as (
    {#- gap-free spine per entity, so the trailing window is a fixed number of rows -#}
    select
        f.legal_entity_key,
        m.month_start as month_start_date,
        {{ throughline.month_end('m.month_start') }} as month_end_date
    from entity_first_months as f
    inner join months as m on m.month_start >= f.first_month_start
),

entity_rows as (
    select
        em.month_start_date,
        em.month_end_date,
        em.legal_entity_key,
        false as is_consolidated,
        coalesce(e.functional_currency_code, '-1') as entity_currency_code,
        {{ receivables_amount('coalesce(w.wip_entity, 0)') }} as wip_entity,
        {{ receivables_amount('coalesce(w.wip_reporting, 0)') }} as wip_reporting,
        {{ receivables_amount('coalesce(a.ar_entity, 0)') }} as ar_entity,
        {{ receivables_amount('coalesce(a.ar_reporting, 0)') }} as ar_reporting,
        {{ receivables_amount('coalesce(r.revenue_entity, 0)') }} as revenue_month_entity,
        {{ receivables_amount('coalesce(r.revenue_reporting, 0)') }} as revenue_month_reporting,
        coalesce(w.is_fx_rate_missing, false) or coalesce(r.is_fx_rate_missing, false) as is_fx_rate_missing
    from entity_months as em
    left join entities as e on em.legal_entity_key = e.legal_entity_key
    left join wip as w on em.legal_entity_key = w.legal_entity_key and em.month_end_date = w.month_end_date
    left join ar as a on em.legal_entity_key = a.legal_entity_key and em.month_start_date = a.month_start_date
    left join revenue as r
        on em.legal_entity_key = r.legal_entity_key and em.month_start_date = r.month_start_date
),

group_rows as (
    select
        m.month_start as month_start_date,
        {{ throughline.month_end('m.month_start') }} as month_end_date,
        'GROUP' as legal_entity_key,
        true as is_consolidated,
        cast(null as {{ dbt.type_string() }}) as entity_currency_code,
        {{ receivables_amount('null') }} as wip_entity,
        {{ receivables_amount('coalesce(sum(r.wip_reporting), 0)') }} as wip_reporting,
        {{ receivables_amount('null') }} as ar_entity,
        {{ receivables_amount('coalesce(sum(r.ar_reporting), 0)') }} as ar_reporting,
        {{ receivables_amount('null') }} as revenue_month_entity,
        {{ receivables_amount('coalesce(sum(r.revenue_month_reporting), 0)') }} as revenue_month_reporting,
        coalesce(max(case when r.is_fx_rate_missing then 1 else 0 end), 0) = 1 as is_fx_rate_missing
    from months as m
    left join entity_rows as r on m.month_start = r.month_start_date
    group by m.month_start
),

all_rows as (
    select * from entity_rows
    union all
    select * from group_rows
),

trailing_window as (
    select
        r.*,
        sum(r.revenue_month_entity) over w as trailing_revenue_entity,
        sum(r.revenue_month_reporting) over w as trailing_revenue_reporting,
        sum({{ receivables_days_in_month('r.month_start_date') }}) over w as trailing_days,
        count(*) over w as trailing_months
    from all_rows as r
    window w as (partition by r.legal_entity_key order by r.month_start_date
        rows between {{ trailing_months - 1 }} preceding and current row)
),

basis as (
    select
        t.*,
        case when t.is_consolidated then t.wip_reporting else t.wip_entity end as basis_wip,
        case when t.is_consolidated then t.ar_reporting else t.ar_entity end as basis_ar,
        case when t.is_consolidated then t.trailing_revenue_reporting else t.trailing_revenue_entity end
            as basis_revenue
    from trailing_window as t
)

select
    month_start_date,
    month_end_date,
    legal_entity_key,
    is_consolidated,
    entity_currency_code,
    {{ reporting_currency_literal() }} as reporting_currency_code,
    wip_entity,
    wip_reporting,
    ar_entity,
    ar_reporting,
    revenue_month_entity,
    revenue_month_reporting,
    {{ receivables_amount('trailing_revenue_entity') }} as trailing_revenue_entity,
    {{ receivables_amount('trailing_revenue_reporting') }} as trailing_revenue_reporting,
    cast(trailing_months as {{ dbt.type_int() }}) as trailing_months,
    cast(trailing_days as {{ dbt.type_int() }}) as trailing_days,
    trailing_months = {{ trailing_months }} as is_trailing_window_complete,
    {{ receivables_days('basis_wip', 'basis_revenue', 'trailing_days') }} as wip_days,
    {{ receivables_days('basis_ar', 'basis_revenue', 'trailing_days') }} as debtor_days,
    {{ receivables_days('basis_wip + basis_ar', 'basis_revenue', 'trailing_days') }} as lockup_days,
    is_fx_rate_missing,
    {{ kpi_definition_version('receivables') }} as definition_version
from basis
where {{ receivables_as_of_filter('month_end_date') }}

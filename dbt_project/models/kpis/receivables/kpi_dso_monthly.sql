{#- DSO per month end: one row per month end x legal entity, plus one consolidated row (legal_entity_key
    'GROUP') per month end. Ending AR (open items of fct_ar_open_items, intercompany excluded, tax stripped
    pro rata when var dso_exclude_tax) against credit sales (net billings ex-tax, ex-intercompany:
    invoices - credit memos of fct_invoice_lines), giving simple DSO over the trailing window of calendar
    months, count-back DSO, best-possible DSO and average days delinquent (docs/metrics.md, reference
    section 4). AR at the month's closing rate, sales at the month's average rate (section 8.5).
    Entity rows compute their ratios in entity currency, GROUP rows in reporting currency, from the summed
    entity rows (never an average of entity DSOs). -#}
{%- set window_months = dso_window_months() | int -%}
{%- set countback_months = (var('dso_window_months') | int) * 4 -%}

with open_items as (
    select
        as_of_date as month_end_date,
        legal_entity_key,
        coalesce(is_intercompany, false) as is_intercompany,
        days_past_due,
        open_amount_entity,
        open_amount_reporting,
        {{ receivables_net_of_tax_share('tax_amount', 'original_amount') }} as net_of_tax_share
    from {{ ref('fct_ar_open_items') }}
),

ar_by_entity as (
    {#- ending AR per entity; a 'current' item is not yet past due (days past due <= 0) -#}
    select
        month_end_date,
        legal_entity_key,
        sum(case when not is_intercompany
            then {{ receivables_amount(throughline.round_double('open_amount_entity * net_of_tax_share')) }} end) as ar_entity,
        sum(case when not is_intercompany
            then {{ receivables_amount(throughline.round_double('open_amount_reporting * net_of_tax_share')) }} end) as ar_reporting,
        sum(case when not is_intercompany and days_past_due <= 0
            then {{ receivables_amount(throughline.round_double('open_amount_entity * net_of_tax_share')) }} end) as current_ar_entity,
        sum(case when not is_intercompany and days_past_due <= 0
            then {{ receivables_amount(throughline.round_double('open_amount_reporting * net_of_tax_share')) }} end) as current_ar_reporting,
        sum(case when is_intercompany
            then {{ receivables_amount(throughline.round_double('open_amount_reporting * net_of_tax_share')) }} end)
            as intercompany_ar_reporting,
        count(case when not is_intercompany and (open_amount_entity is null or open_amount_reporting is null)
            then 1 end) as fx_missing_items
    from open_items
    group by month_end_date, legal_entity_key
),

billing_lines as (
    {#- credit sales: fee and recharge lines of invoices and credit memos, tax lines and voided documents out;
        amounts land positive on credit memos, so they are negated here -#}
    select
        legal_entity_key,
        entity_currency_code,
        transaction_currency_code,
        cast({{ dbt.date_trunc('month', 'transaction_date') }} as date) as month_start_date,
        case when transaction_type = 'credit_memo' then -amount_transaction else amount_transaction end
            as net_amount_transaction
    from {{ ref('fct_invoice_lines') }}
    where transaction_type in ('invoice', 'credit_memo')
        and not coalesce(is_tax_line, false)
        and not coalesce(is_intercompany, false)
        and not coalesce(is_voided, false)
        and coalesce(transaction_status, '') <> 'voided'
),

billings_by_currency as (
    select
        legal_entity_key,
        entity_currency_code,
        transaction_currency_code,
        month_start_date,
        sum(net_amount_transaction) as net_amount_transaction
    from billing_lines
    group by legal_entity_key, entity_currency_code, transaction_currency_code, month_start_date
),

billings_converted as (
    {#- translated at the month's average rate (transaction -> entity, transaction -> reporting) -#}
    select
        b.legal_entity_key,
        b.month_start_date,
        {{ receivables_amount(throughline.round_double('b.net_amount_transaction * '
            ~ fx_rate('fx_e', 'b.transaction_currency_code', 'b.entity_currency_code', 'average_rate'))) }}
            as sales_entity,
        {{ receivables_amount(throughline.round_double('b.net_amount_transaction * '
            ~ fx_rate_to_reporting('fx_r', 'b.transaction_currency_code', 'average_rate'))) }}
            as sales_reporting
    from billings_by_currency as b
    {{ join_periodic_rates('b.transaction_currency_code', 'b.entity_currency_code', 'b.month_start_date') }}
),

sales_by_entity as (
    select
        legal_entity_key,
        month_start_date,
        sum(sales_entity) as sales_entity,
        sum(sales_reporting) as sales_reporting,
        count(case when sales_entity is null or sales_reporting is null then 1 end) as fx_missing_items
    from billings_converted
    group by legal_entity_key, month_start_date
),

last_month as (
    {#- the latest month end with an AR snapshot (fct_ar_open_items only holds month ends the data has reached) -#}
    select max(month_end_date) as month_end_date from ar_by_entity
),

entity_first_months as (
    select legal_entity_key, min(month_start_date) as first_month_start
    from (
        select legal_entity_key, cast({{ dbt.date_trunc('month', 'month_end_date') }} as date) as month_start_date
        from ar_by_entity
        union all
        select legal_entity_key, month_start_date from sales_by_entity
    ) as activity
    group by legal_entity_key
),

months as (
    {{ month_starts("(select min(first_month_start) from entity_first_months)",
        "(select month_end_date from last_month)") }}
),

entity_months as (
    {#- gap-free month spine per entity, from its first AR or billing month to the last AR month end -#}
    select
        f.legal_entity_key,
        m.month_start as month_start_date,
        {{ throughline.month_end('m.month_start') }} as month_end_date
    from entity_first_months as f
    inner join months as m on m.month_start >= f.first_month_start
),

entities as (
    select legal_entity_key, functional_currency_code from {{ ref('dim_legal_entity') }}
),

entity_rows as (
    select
        em.month_start_date,
        em.month_end_date,
        em.legal_entity_key,
        false as is_consolidated,
        coalesce(e.functional_currency_code, '-1') as entity_currency_code,
        {{ receivables_amount('coalesce(a.ar_entity, 0)') }} as ar_entity,
        {{ receivables_amount('coalesce(a.ar_reporting, 0)') }} as ar_reporting,
        {{ receivables_amount('coalesce(a.current_ar_entity, 0)') }} as current_ar_entity,
        {{ receivables_amount('coalesce(a.current_ar_reporting, 0)') }} as current_ar_reporting,
        {{ receivables_amount('coalesce(a.intercompany_ar_reporting, 0)') }} as intercompany_ar_reporting,
        {{ receivables_amount('coalesce(s.sales_entity, 0)') }} as credit_sales_month_entity,
        {{ receivables_amount('coalesce(s.sales_reporting, 0)') }} as credit_sales_month_reporting,
        coalesce(a.fx_missing_items, 0) + coalesce(s.fx_missing_items, 0) > 0 as is_fx_rate_missing
    from entity_months as em
    left join entities as e on em.legal_entity_key = e.legal_entity_key
    left join ar_by_entity as a
        on em.legal_entity_key = a.legal_entity_key and em.month_end_date = a.month_end_date
    left join sales_by_entity as s
        on em.legal_entity_key = s.legal_entity_key and em.month_start_date = s.month_start_date
),

group_rows as (
    {#- consolidation: intercompany is already out of every entity row, so the group is a plain sum in
        reporting currency -#}
    select
        m.month_start as month_start_date,
        {{ throughline.month_end('m.month_start') }} as month_end_date,
        'GROUP' as legal_entity_key,
        true as is_consolidated,
        cast(null as {{ dbt.type_string() }}) as entity_currency_code,
        {{ receivables_amount('null') }} as ar_entity,
        {{ receivables_amount('coalesce(sum(r.ar_reporting), 0)') }} as ar_reporting,
        {{ receivables_amount('null') }} as current_ar_entity,
        {{ receivables_amount('coalesce(sum(r.current_ar_reporting), 0)') }} as current_ar_reporting,
        {{ receivables_amount('coalesce(sum(r.intercompany_ar_reporting), 0)') }} as intercompany_ar_reporting,
        {{ receivables_amount('null') }} as credit_sales_month_entity,
        {{ receivables_amount('coalesce(sum(r.credit_sales_month_reporting), 0)') }} as credit_sales_month_reporting,
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

basis as (
    {#- the currency the ratios are computed in: entity currency on entity rows, reporting on GROUP rows -#}
    select
        r.*,
        case when r.is_consolidated then r.ar_reporting else r.ar_entity end as basis_ar,
        case when r.is_consolidated then r.current_ar_reporting else r.current_ar_entity end as basis_current_ar,
        case when r.is_consolidated then r.credit_sales_month_reporting else r.credit_sales_month_entity end
            as basis_sales,
        {{ receivables_days_in_month('r.month_start_date') }} as days_in_month
    from all_rows as r
),

windowed as (
    {#- simple-DSO window: this month and the {{ window_months - 1 }} before it (the spine has no gaps) -#}
    select
        b.*,
        sum(b.credit_sales_month_entity) over w as credit_sales_window_entity,
        sum(b.credit_sales_month_reporting) over w as credit_sales_window_reporting,
        sum(b.basis_sales) over w as basis_sales_window,
        sum(b.days_in_month) over w as dso_window_days,
        count(*) over w as dso_window_months
    from basis as b
    window w as (partition by b.legal_entity_key order by b.month_start_date
        rows between {{ window_months - 1 }} preceding and current row)
),

walk as (
    {#- count-back: each month end walks back over its own month and up to {{ countback_months - 1 }} earlier
        months, with the running sum of sales and of days from the latest month backwards -#}
    select
        t.legal_entity_key,
        t.month_start_date,
        t.basis_ar,
        {{ dbt.datediff('p.month_start_date', 't.month_start_date', 'month') }} as months_back,
        p.basis_sales as walk_sales,
        p.days_in_month as walk_days,
        sum(p.basis_sales) over wb as cumulative_sales,
        sum(p.days_in_month) over wb as cumulative_days
    from basis as t
    inner join basis as p
        on t.legal_entity_key = p.legal_entity_key
        and p.month_start_date <= t.month_start_date
        and p.month_start_date >= {{ dbt.dateadd('month', -(countback_months - 1), 't.month_start_date') }}
    window wb as (partition by t.legal_entity_key, t.month_start_date order by p.month_start_date desc
        rows between unbounded preceding and current row)
),

walk_summary as (
    select
        legal_entity_key,
        month_start_date,
        count(*) as months_available,
        min(case when walk_sales <= 0 then months_back end) as first_non_positive_month,
        min(case when cumulative_sales >= basis_ar then months_back end) as exhausted_month
    from walk
    group by legal_entity_key, month_start_date
),

countback as (
    {#- why the walk ended: AR exhausted (a DSO), or stopped first at a month with sales <= 0, at the start
        of the sales history, or at the walk limit (no DSO) -#}
    select
        s.legal_entity_key,
        s.month_start_date,
        s.months_available,
        case
            when w.basis_ar <= 0 then 'no_receivables'
            when s.exhausted_month is not null
                and (s.first_non_positive_month is null or s.first_non_positive_month > s.exhausted_month)
                then 'exhausted'
            when s.first_non_positive_month is not null then 'stopped_at_non_positive_sales'
            when s.months_available < {{ countback_months }} then 'receivables_exceed_sales_history'
            else 'receivables_exceed_walk_limit'
        end as countback_status
    from walk_summary as s
    inner join walk as w
        on s.legal_entity_key = w.legal_entity_key
        and s.month_start_date = w.month_start_date
        and w.months_back = 0
),

exhaustion as (
    {#- DSO = full days of the months AR covers + the covered fraction of the month where AR runs out -#}
    select
        s.legal_entity_key,
        s.month_start_date,
        (w.cumulative_days - w.walk_days)
            + cast({{ safe_ratio('w.basis_ar - (w.cumulative_sales - w.walk_sales)', 'w.walk_sales') }}
                as {{ throughline.ratio_type() }}) * w.walk_days as countback_days
    from walk_summary as s
    inner join walk as w
        on s.legal_entity_key = w.legal_entity_key
        and s.month_start_date = w.month_start_date
        and w.months_back = s.exhausted_month
),

final as (
    select
        w.month_start_date,
        w.month_end_date,
        w.legal_entity_key,
        w.is_consolidated,
        w.entity_currency_code,
        {{ reporting_currency_literal() }} as reporting_currency_code,
        w.ar_entity,
        w.ar_reporting,
        w.current_ar_entity,
        w.current_ar_reporting,
        w.intercompany_ar_reporting,
        w.credit_sales_month_entity,
        w.credit_sales_month_reporting,
        {{ receivables_amount('w.credit_sales_window_entity') }} as credit_sales_window_entity,
        {{ receivables_amount('w.credit_sales_window_reporting') }} as credit_sales_window_reporting,
        cast(w.dso_window_months as {{ dbt.type_int() }}) as dso_window_months,
        cast(w.dso_window_days as {{ dbt.type_int() }}) as dso_window_days,
        w.dso_window_months = {{ window_months }} as is_window_complete,
        {{ receivables_days('w.basis_ar', 'w.basis_sales_window', 'w.dso_window_days') }} as dso_simple_days,
        case when c.countback_status = 'no_receivables' then cast(0 as {{ throughline.ratio_type() }})
            when c.countback_status = 'exhausted' then {{ throughline.round_double('x.countback_days') }}
        end as dso_countback_days,
        c.countback_status,
        {{ receivables_days('w.basis_current_ar', 'w.basis_sales_window', 'w.dso_window_days') }} as bpdso_days,
        {{ receivables_days('w.basis_ar - w.basis_current_ar', 'w.basis_sales_window', 'w.dso_window_days') }}
            as add_days,
        w.is_fx_rate_missing,
        {{ kpi_definition_version('receivables') }} as definition_version
    from windowed as w
    inner join countback as c
        on w.legal_entity_key = c.legal_entity_key and w.month_start_date = c.month_start_date
    left join exhaustion as x
        on w.legal_entity_key = x.legal_entity_key and w.month_start_date = x.month_start_date
)

select * from final
where {{ receivables_as_of_filter('month_end_date') }}

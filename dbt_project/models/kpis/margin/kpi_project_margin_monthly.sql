{#- Engagement economics per client project and month (definition: docs/metrics.md "Engagement margin and
    realization", family margin). A row is one calendar month x one client project (not internal, not the
    unknown project) with any activity in the month: recognised revenue, approved time, direct expenses,
    fee billings or cash applied to its invoices. Months run up to the KPI as-of date (var kpi_as_of_date,
    null = latest approved time-entry date, as revenue recognition uses).

    Period and inception-to-date gross margin = recognised revenue (fct_revenue, fees only) - direct cost
    (ALL approved hours x the entry's cost rate, employees and contractors apart, + direct expenses), so
    non-billable time on a client project costs but earns nothing. Realization compares net fee billings
    with the standard value of the approved billable time at the rate card, and cash applied with billings.

    Currency: revenue is fct_revenue's entity / reporting amounts (month-average rate); every other money
    flow is summed per project, month and source currency as a fixed-point decimal and translated once at
    the AVERAGE rate of the month it belongs to (month worked, spent, invoiced or applied), so revenue and
    cost of a month sit on the same rate. -#}

{%- set include_pass_through = var('margin_include_pass_through_expenses') %}
{%- set excluded_item_types = var('revrec_excluded_billing_item_types') %}
{%- set amount = throughline.amount_type() %}

with as_of as (
    select
        {{ finance_as_of_date('kpi_as_of_date',
            "select max(spent_date) from " ~ ref('fct_time_entries') ~ " where is_approved") }} as as_of_date
),

as_of_month as (
    select
        as_of_date,
        cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) as as_of_month_start
    from as_of
),

client_projects as (
    select
        p.project_key,
        p.client_key,
        p.contract_key,
        p.legal_entity_key,
        p.service_line_key,
        p.contract_type,
        coalesce(e.functional_currency_code, '-1') as entity_currency_code
    from {{ ref('dim_project') }} as p
    left join {{ ref('dim_legal_entity') }} as e
        on p.legal_entity_key = e.legal_entity_key and not e.is_unknown
    where not coalesce(p.is_internal, false) and not coalesce(p.is_unknown, false)
),

-- Recognised revenue as booked in fct_revenue (already in entity and reporting currency at the month average).
revenue as (
    select
        r.project_key,
        r.revenue_month as month_start_date,
        sum(cast(r.amount_entity as numeric(18, 2))) as revenue_entity,
        sum(cast(r.amount_reporting as numeric(18, 2))) as revenue_reporting,
        max(case when r.is_fx_rate_missing then 1 else 0 end) as has_missing_rate
    from {{ ref('fct_revenue') }} as r
    inner join client_projects as p on r.project_key = p.project_key
    cross join as_of_month as a
    where r.revenue_month <= a.as_of_month_start
    group by r.project_key, r.revenue_month
),

resources as (
    select resource_key, coalesce(employment_type = 'contractor', false) as is_contractor
    from {{ ref('dim_resource') }}
),

-- Approved time of client projects summed per month, cost currency and kind of person (employee or
-- contractor), with its standard (rack) value: the rate card of its role and bill currency effective on
-- the day worked (fct_time_entries_monthly). The sums are exact (fixed-point hours and rates), so summing a
-- month first changes no cent. By default the as-of date is the latest approved day, so the as-of month's
-- approved time is whole in the monthly sum; a kpi_as_of_date reads that month from the fact, up to the day.
time_months as (
    {{ throughline.time_entry_months_through('(select as_of_date from as_of)',
        whole_as_of_month=not var('kpi_as_of_date', none)) }}
),

approved_time as (
    select
        t.project_key,
        t.month_start_date,
        t.transaction_currency_code,
        t.cost_currency_code,
        coalesce(r.is_contractor, false) as is_contractor,
        t.hours,
        t.billable_hours,
        t.billable_hours_unrated,
        cast(t.standard_value_amount as {{ amount }}) as standard_value_amount,
        cast(t.cost_amount_cost_currency as {{ amount }}) as cost_amount
    from time_months as t
    inner join client_projects as p on t.project_key = p.project_key
    left join resources as r on t.resource_key = r.resource_key
    where t.is_approved
),

hours_by_month as (
    select
        project_key,
        month_start_date,
        sum(hours) as hours_total,
        sum(billable_hours) as billable_hours,
        sum(case when is_contractor then hours else 0 end) as contractor_hours,
        sum(billable_hours_unrated) as billable_hours_without_rate_card
    from approved_time
    group by project_key, month_start_date
),

direct_expenses as (
    select
        x.project_key,
        cast({{ dbt.date_trunc('month', 'x.spent_date') }} as date) as month_start_date,
        x.is_billable,
        x.transaction_currency_code,
        cast(x.amount_transaction as {{ amount }}) as cost_amount,
        cast(x.billable_amount_transaction as {{ amount }}) as billable_amount
    from {{ ref('fct_expenses') }} as x
    inner join client_projects as p on x.project_key = p.project_key
    cross join as_of as a
    where x.is_approved and x.spent_date <= a.as_of_date
),

excluded_items as (
    select item_id from {{ throughline.erp_input('items') }}
    where item_type in {{ string_list(excluded_item_types) }}
),

-- Invoice and credit-memo lines of client projects, classified: fee lines are what revenue v1 covers (not tax,
-- not expense recharges). Amounts land positive on credit memos too: the sign is applied here.
document_lines as (
    select
        l.transaction_id,
        l.transaction_type,
        l.project_key,
        l.transaction_date,
        l.transaction_currency_code,
        cast(l.amount_transaction as {{ amount }}) as line_amount,
        not l.is_tax_line
            and (l.erp_item_id is null or l.erp_item_id not in (select item_id from excluded_items)) as is_fee_line
    from {{ ref('fct_invoice_lines') }} as l
    inner join client_projects as p on l.project_key = p.project_key
    where not l.is_voided and l.transaction_type in ('invoice', 'credit_memo')
),

fee_billings as (
    select
        d.project_key,
        cast({{ dbt.date_trunc('month', 'd.transaction_date') }} as date) as month_start_date,
        d.transaction_type,
        d.transaction_currency_code,
        d.line_amount
    from document_lines as d
    cross join as_of as a
    where d.is_fee_line and d.transaction_date <= a.as_of_date
),

-- Share of each invoice's gross total (all lines: fees, recharges, tax) that is fees: cash applied to the
-- invoice is split pro rata, so collections compare with fee billings on the same basis.
invoice_fee_shares as (
    select
        transaction_id,
        project_key,
        transaction_currency_code,
        sum(case when is_fee_line then line_amount else 0 end) as fee_amount,
        sum(line_amount) as gross_amount
    from document_lines
    where transaction_type = 'invoice'
    group by transaction_id, project_key, transaction_currency_code
),

collections as (
    select
        s.project_key,
        cast({{ dbt.date_trunc('month', 'ap.application_date') }} as date) as month_start_date,
        s.transaction_currency_code,
        {#- multiply before dividing: decimals stay exact up to the one division -#}
        cast(ap.applied_amount * s.fee_amount / nullif(s.gross_amount, 0) as {{ amount }}) as collected_amount
    from {{ ref('int_ar_applications') }} as ap
    inner join invoice_fee_shares as s on ap.invoice_transaction_id = s.transaction_id
    cross join as_of as a
    where ap.application_type = 'payment' and ap.application_date <= a.as_of_date
),

-- Every money flow except revenue, in its source currency, one measure per row.
flows as (
    select project_key, month_start_date, cost_currency_code as currency_code,
        case when is_contractor then 'contractor_cost' else 'labor_cost' end as measure,
        sum(cost_amount) as amount_source
    from approved_time
    group by project_key, month_start_date, cost_currency_code, is_contractor

    union all
    select project_key, month_start_date, transaction_currency_code, 'standard_value', sum(standard_value_amount)
    from approved_time
    where standard_value_amount is not null
    group by project_key, month_start_date, transaction_currency_code

    union all
    select project_key, month_start_date, transaction_currency_code,
        case when is_billable then 'pass_through_expense' else 'direct_expense' end, sum(cost_amount)
    from direct_expenses
    group by project_key, month_start_date, transaction_currency_code, is_billable

    union all
    select project_key, month_start_date, transaction_currency_code, 'pass_through_billable', sum(billable_amount)
    from direct_expenses
    where is_billable
    group by project_key, month_start_date, transaction_currency_code

    union all
    select project_key, month_start_date, transaction_currency_code,
        case when transaction_type = 'invoice' then 'invoiced' else 'credited' end, sum(line_amount)
    from fee_billings
    group by project_key, month_start_date, transaction_currency_code, transaction_type

    union all
    select project_key, month_start_date, transaction_currency_code, 'collected', sum(collected_amount)
    from collections
    group by project_key, month_start_date, transaction_currency_code
),

-- One translation per project, month, currency and measure, at the month's average rate, rounded to cents.
flows_converted as (
    select
        f.project_key,
        f.month_start_date,
        f.measure,
        cast({{ throughline.round_double('f.amount_source * '
            ~ fx_rate('fx_e', 'f.currency_code', 'p.entity_currency_code', 'average_rate')) }} as numeric(18, 2))
            as amount_entity,
        cast({{ throughline.round_double('f.amount_source * '
            ~ fx_rate_to_reporting('fx_r', 'f.currency_code', 'average_rate')) }} as numeric(18, 2))
            as amount_reporting
    from flows as f
    inner join client_projects as p on f.project_key = p.project_key
    {{ join_periodic_rates('f.currency_code', 'p.entity_currency_code', 'f.month_start_date') }}
    where f.amount_source <> 0
),

flows_by_month as (
    select
        project_key,
        month_start_date,
        {%- for m in ['labor_cost', 'contractor_cost', 'direct_expense', 'pass_through_expense',
            'pass_through_billable', 'standard_value', 'invoiced', 'credited', 'collected'] %}
        {%- for cur in ['entity', 'reporting'] %}
        sum(case when measure = '{{ m }}' then amount_{{ cur }} else 0 end) as {{ m }}_{{ cur }},
        {%- endfor %}
        {%- endfor %}
        max(case when amount_entity is null or amount_reporting is null then 1 else 0 end) as has_missing_rate
    from flows_converted
    group by project_key, month_start_date
),

project_months as (
    select project_key, month_start_date from revenue
    union
    select project_key, month_start_date from hours_by_month
    union
    select project_key, month_start_date from flows_by_month
),

monthly as (
    select
        m.project_key,
        m.month_start_date,
        coalesce(r.revenue_entity, 0)
            {%- if include_pass_through %} + coalesce(f.pass_through_billable_entity, 0){% endif %} as revenue_entity,
        coalesce(r.revenue_reporting, 0)
            {%- if include_pass_through %} + coalesce(f.pass_through_billable_reporting, 0){% endif %}
            as revenue_reporting,
        {%- for cur in ['entity', 'reporting'] %}
        coalesce(f.labor_cost_{{ cur }}, 0) as labor_cost_{{ cur }},
        coalesce(f.contractor_cost_{{ cur }}, 0) as contractor_cost_{{ cur }},
        coalesce(f.direct_expense_{{ cur }}, 0)
            {%- if include_pass_through %} + coalesce(f.pass_through_expense_{{ cur }}, 0){% endif %}
            as expense_cost_{{ cur }},
        coalesce(f.pass_through_expense_{{ cur }}, 0) as pass_through_expense_{{ cur }},
        coalesce(f.standard_value_{{ cur }}, 0) as standard_value_{{ cur }},
        coalesce(f.invoiced_{{ cur }}, 0) as invoiced_{{ cur }},
        coalesce(f.credited_{{ cur }}, 0) as credited_{{ cur }},
        coalesce(f.collected_{{ cur }}, 0) as collected_{{ cur }},
        {%- endfor %}
        coalesce(h.hours_total, 0) as hours_total,
        coalesce(h.billable_hours, 0) as billable_hours,
        coalesce(h.contractor_hours, 0) as contractor_hours,
        coalesce(h.billable_hours_without_rate_card, 0) as billable_hours_without_rate_card,
        coalesce(r.has_missing_rate, 0) = 1 or coalesce(f.has_missing_rate, 0) = 1 as is_fx_rate_missing
    from project_months as m
    left join revenue as r on m.project_key = r.project_key and m.month_start_date = r.month_start_date
    left join hours_by_month as h on m.project_key = h.project_key and m.month_start_date = h.month_start_date
    left join flows_by_month as f on m.project_key = f.project_key and m.month_start_date = f.month_start_date
),

totals as (
    select
        *,
        {%- for cur in ['entity', 'reporting'] %}
        labor_cost_{{ cur }} + contractor_cost_{{ cur }} + expense_cost_{{ cur }} as cost_{{ cur }},
        invoiced_{{ cur }} - credited_{{ cur }} as billed_{{ cur }},
        {%- endfor %}
        hours_total - contractor_hours as employee_hours
    from monthly
),

with_itd as (
    select
        *,
        {%- for cur in ['entity', 'reporting'] %}
        revenue_{{ cur }} - cost_{{ cur }} as margin_{{ cur }},
        sum(revenue_{{ cur }}) over (partition by project_key order by month_start_date
            rows between unbounded preceding and current row) as revenue_itd_{{ cur }},
        sum(cost_{{ cur }}) over (partition by project_key order by month_start_date
            rows between unbounded preceding and current row) as cost_itd_{{ cur }},
        {%- endfor %}
        sum(hours_total) over (partition by project_key order by month_start_date
            rows between unbounded preceding and current row) as hours_total_itd
    from totals
)

select
    w.month_start_date,
    {{ throughline.month_end('w.month_start_date') }} as month_end_date,
    {{ throughline.month_end('w.month_start_date') }} > a.as_of_date as is_partial_month,
    w.project_key,
    p.client_key,
    p.contract_key,
    p.legal_entity_key,
    p.service_line_key,
    p.contract_type,
    p.entity_currency_code,
    {{ reporting_currency_literal() }} as reporting_currency_code,
    -- period: revenue, direct cost, margin
    cast(w.revenue_entity as numeric(18, 2)) as revenue_entity,
    cast(w.revenue_reporting as numeric(18, 2)) as revenue_reporting,
    cast(w.labor_cost_entity as numeric(18, 2)) as labor_cost_entity,
    cast(w.labor_cost_reporting as numeric(18, 2)) as labor_cost_reporting,
    cast(w.contractor_cost_entity as numeric(18, 2)) as contractor_cost_entity,
    cast(w.contractor_cost_reporting as numeric(18, 2)) as contractor_cost_reporting,
    cast(w.expense_cost_entity as numeric(18, 2)) as expense_cost_entity,
    cast(w.expense_cost_reporting as numeric(18, 2)) as expense_cost_reporting,
    cast(w.pass_through_expense_entity as numeric(18, 2)) as pass_through_expense_entity,
    cast(w.pass_through_expense_reporting as numeric(18, 2)) as pass_through_expense_reporting,
    cast(w.cost_entity as numeric(18, 2)) as cost_entity,
    cast(w.cost_reporting as numeric(18, 2)) as cost_reporting,
    cast(w.margin_entity as numeric(18, 2)) as margin_entity,
    cast(w.margin_reporting as numeric(18, 2)) as margin_reporting,
    {{ safe_ratio('w.margin_reporting', 'w.revenue_reporting') }} as margin_pct,
    -- inception to date (project's first active month through this month)
    cast(w.revenue_itd_entity as numeric(18, 2)) as revenue_itd_entity,
    cast(w.revenue_itd_reporting as numeric(18, 2)) as revenue_itd_reporting,
    cast(w.cost_itd_entity as numeric(18, 2)) as cost_itd_entity,
    cast(w.cost_itd_reporting as numeric(18, 2)) as cost_itd_reporting,
    cast(w.revenue_itd_entity - w.cost_itd_entity as numeric(18, 2)) as margin_itd_entity,
    cast(w.revenue_itd_reporting - w.cost_itd_reporting as numeric(18, 2)) as margin_itd_reporting,
    {{ safe_ratio('w.revenue_itd_reporting - w.cost_itd_reporting', 'w.revenue_itd_reporting') }} as margin_itd_pct,
    -- hours and effective bill rate
    cast(w.hours_total as numeric(18, 2)) as hours_total,
    cast(w.billable_hours as numeric(18, 2)) as billable_hours,
    cast(w.employee_hours as numeric(18, 2)) as employee_hours,
    cast(w.contractor_hours as numeric(18, 2)) as contractor_hours,
    {{ safe_ratio('w.revenue_entity', 'w.hours_total') }} as effective_bill_rate_entity,
    {{ safe_ratio('w.revenue_reporting', 'w.hours_total') }} as effective_bill_rate_reporting,
    cast(w.hours_total_itd as numeric(18, 2)) as hours_total_itd,
    {{ safe_ratio('w.revenue_itd_reporting', 'w.hours_total_itd') }} as effective_bill_rate_itd_reporting,
    -- realization
    cast(w.standard_value_entity as numeric(18, 2)) as standard_value_entity,
    cast(w.standard_value_reporting as numeric(18, 2)) as standard_value_reporting,
    cast(w.billable_hours_without_rate_card as numeric(18, 2)) as billable_hours_without_rate_card,
    cast(w.invoiced_entity as numeric(18, 2)) as invoiced_entity,
    cast(w.invoiced_reporting as numeric(18, 2)) as invoiced_reporting,
    cast(w.credited_entity as numeric(18, 2)) as credited_entity,
    cast(w.credited_reporting as numeric(18, 2)) as credited_reporting,
    cast(w.billed_entity as numeric(18, 2)) as billed_entity,
    cast(w.billed_reporting as numeric(18, 2)) as billed_reporting,
    cast(w.collected_entity as numeric(18, 2)) as collected_entity,
    cast(w.collected_reporting as numeric(18, 2)) as collected_reporting,
    {{ safe_ratio('w.billed_reporting', 'w.standard_value_reporting') }} as billing_realization,
    {{ safe_ratio('w.collected_reporting', 'w.billed_reporting') }} as collection_realization,
    {{ safe_ratio('w.collected_reporting', 'w.standard_value_reporting') }} as overall_realization,
    w.is_fx_rate_missing,
    {{ kpi_definition_version('margin') }} as definition_version
from with_itd as w
inner join client_projects as p on w.project_key = p.project_key
cross join as_of as a
where w.revenue_entity <> 0 or w.revenue_reporting <> 0 or w.cost_reporting <> 0 or w.hours_total <> 0
    or w.standard_value_reporting <> 0 or w.invoiced_reporting <> 0 or w.credited_reporting <> 0
    or w.collected_reporting <> 0 or w.pass_through_expense_reporting <> 0

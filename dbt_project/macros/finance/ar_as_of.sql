{#- AR open items (definition var ar_definition_version, "ar v1") for every date in as_of_sql (a query
    returning one column as_of_date). Per invoice issued on or before the as-of date: original amount,
    payments and credits applied on or before it, open amount, days past due (from the due date) and days
    since invoice, aging bucket (var ar_aging_bucket_edges), and the open amount in entity and reporting
    currency at the closing rate at the as-of date (the month's closing rate on a month end, else that
    day's spot). Only invoices still open (open amount <> 0) are returned. -#}
{% macro ar_open_items(as_of_sql) -%}
with as_of_dates as (
    {{ as_of_sql }}
),

invoices as (
    select * from {{ ref('int_ar_invoices') }}
),

applications as (
    select * from {{ ref('int_ar_applications') }}
),

settled as (
    select
        d.as_of_date,
        a.invoice_transaction_id,
        sum(case when a.application_type = 'payment' then a.applied_amount else 0 end) as applied_payments,
        sum(case when a.application_type = 'credit_memo' then a.applied_amount else 0 end) as applied_credits
    from applications as a
    inner join as_of_dates as d on a.application_date <= d.as_of_date
    group by d.as_of_date, a.invoice_transaction_id
),

items as (
    select
        d.as_of_date,
        i.*,
        coalesce(s.applied_payments, 0) as applied_payments,
        coalesce(s.applied_credits, 0) as applied_credits,
        i.original_amount - coalesce(s.applied_payments, 0) - coalesce(s.applied_credits, 0) as open_amount,
        {{ dbt.datediff('i.due_date', 'd.as_of_date', 'day') }} as days_past_due,
        {{ dbt.datediff('i.invoice_date', 'd.as_of_date', 'day') }} as days_since_invoice
    from invoices as i
    inner join as_of_dates as d on i.invoice_date <= d.as_of_date
    left join settled as s
        on i.invoice_transaction_id = s.invoice_transaction_id and d.as_of_date = s.as_of_date
)

select
    {{ composite_key(['it.as_of_date', 'it.invoice_transaction_id']) }} as ar_open_item_id,
    it.as_of_date,
    {{ dbt.string_literal(var('ar_definition_version')) }} as definition_version,
    it.invoice_transaction_id,
    it.invoice_number,
    it.erp_customer_id,
    it.client_key,
    it.is_intercompany,
    it.psa_project_id,
    it.project_key,
    it.contract_key,
    it.legal_entity_key,
    it.invoice_date,
    it.due_date,
    it.is_due_date_defaulted,
    it.days_past_due,
    it.days_since_invoice,
    {{ aging_bucket('it.days_past_due') }} as aging_bucket,
    {{ aging_bucket_order('it.days_past_due') }} as aging_bucket_order,
    it.transaction_currency_code,
    it.original_amount,
    it.tax_amount,
    it.applied_payments,
    it.applied_credits,
    it.open_amount,
    it.entity_currency_code,
    coalesce(
        {{ fx_rate('fx_pe', 'it.transaction_currency_code', 'it.entity_currency_code', 'closing_rate') }},
        {{ fx_rate('fx_de', 'it.transaction_currency_code', 'it.entity_currency_code') }}
    ) as fx_rate_to_entity,
    {{ throughline.round_double('it.open_amount * coalesce('
        ~ fx_rate('fx_pe', 'it.transaction_currency_code', 'it.entity_currency_code', 'closing_rate') ~ ', '
        ~ fx_rate('fx_de', 'it.transaction_currency_code', 'it.entity_currency_code') ~ ')') }} as open_amount_entity,
    {{ dbt.string_literal(var('reporting_currency')) }} as reporting_currency_code,
    coalesce(
        {{ fx_rate('fx_pr', 'it.transaction_currency_code', dbt.string_literal(var('reporting_currency')), 'closing_rate') }},
        {{ fx_rate('fx_dr', 'it.transaction_currency_code', dbt.string_literal(var('reporting_currency'))) }}
    ) as fx_rate_to_reporting,
    {{ throughline.round_double('it.open_amount * coalesce('
        ~ fx_rate('fx_pr', 'it.transaction_currency_code', dbt.string_literal(var('reporting_currency')), 'closing_rate') ~ ', '
        ~ fx_rate('fx_dr', 'it.transaction_currency_code', dbt.string_literal(var('reporting_currency'))) ~ ')') }} as open_amount_reporting,
    'closing' as fx_rate_type
from items as it
left join {{ ref('int_fx_rates_periodic') }} as fx_pe
    on fx_pe.period_end = it.as_of_date
    and fx_pe.from_currency = it.transaction_currency_code
    and fx_pe.to_currency = it.entity_currency_code
left join {{ ref('int_fx_rates_periodic') }} as fx_pr
    on fx_pr.period_end = it.as_of_date
    and fx_pr.from_currency = it.transaction_currency_code
    and fx_pr.to_currency = {{ dbt.string_literal(var('reporting_currency')) }}
{{ join_spot_rate('fx_de', 'it.transaction_currency_code', 'it.entity_currency_code', 'it.as_of_date') }}
{{ join_spot_rate('fx_dr', 'it.transaction_currency_code', dbt.string_literal(var('reporting_currency')), 'it.as_of_date') }}
where it.open_amount <> 0
{%- endmacro %}

{#- Unapplied cash and credits (ar v1) for every date in as_of_sql: per payment or credit memo dated on or
    before the as-of date, its total minus what was applied to invoices on or before it; rows with a
    non-zero unapplied amount only. Conformed keys: client (ERP customer via int_clients_matched), legal
    entity (the document's subsidiary), project (the header's PSA project: credit memos carry one,
    payments do not), '-1' unresolved. Kept apart from the open items (open-item convention).

    as_of_sql gives month ends: an application dated on or before a month end counts from the month end of
    its own date, so each document's applied total is a step per month with applications, and only its
    steps (not every application at every later month end: 5.5 M pairs for 88 K rows at scale xl) meet the
    month ends. -#}
{% macro ar_unapplied_cash(as_of_sql) -%}
with as_of_dates as (
    {{ as_of_sql }}
),

document_subsidiaries as (
    {{ transaction_subsidiaries() }}
),

docs as (
    select t.transaction_id, t.transaction_type, t.transaction_number, t.transaction_date, t.entity_id,
        t.total_amount, c.currency_code,
        coalesce(cl.client_key, '-1') as client_key,
        coalesce(cu.is_intercompany, false) as is_intercompany,
        coalesce(e.legal_entity_key, '-1') as legal_entity_key,
        coalesce(pr.psa_project_id, '-1') as project_key
    from {{ throughline.erp_input('transactions') }} as t
    left join {{ throughline.erp_input('currencies') }} as c on t.currency_id = c.currency_id
    left join document_subsidiaries as ds on t.transaction_id = ds.transaction_id
    left join {{ ref('int_legal_entities_resolved') }} as e on ds.subsidiary_id = e.erp_subsidiary_id
    left join {{ throughline.erp_input('customers') }} as cu on t.entity_id = cu.customer_id
    left join {{ ref('int_clients_matched') }} as cl on t.entity_id = cl.erp_customer_id
        and cl.erp_customer_id is not null
    left join {{ ref('int_psa_project_context') }} as pr on t.psa_project_id = pr.psa_project_id
    where t.transaction_type in ('payment', 'credit_memo')
        and not coalesce(t.is_voided, false) and coalesce(t.status, '') <> 'voided'
),

-- What each document has applied by the month end of each month it has applications in, and until which
-- month end that total holds; a first step of nothing applied covers the month ends before them.
applied_steps as (
    select applying_transaction_id, from_date, sum(applied_amount) as applied_amount
    from (
        select a.applying_transaction_id, {{ throughline.month_end('a.application_date') }} as from_date,
            a.applied_amount
        from {{ ref('int_ar_applications') }} as a
        where a.application_date is not null
        union all
        select transaction_id, cast('1900-01-01' as date), 0
        from docs
    ) as s
    group by applying_transaction_id, from_date
),

applied as (
    select
        applying_transaction_id,
        from_date,
        lead(from_date) over (partition by applying_transaction_id order by from_date) as to_date,
        sum(applied_amount) over (partition by applying_transaction_id order by from_date
            rows between unbounded preceding and current row) as applied_amount
    from applied_steps
)

select
    {{ composite_key(['d.as_of_date', 'x.transaction_id']) }} as ar_unapplied_id,
    d.as_of_date,
    {{ dbt.string_literal(var('ar_definition_version')) }} as definition_version,
    x.transaction_id as applying_transaction_id,
    x.transaction_type as document_type,
    x.transaction_number as document_number,
    x.entity_id as erp_customer_id,
    x.transaction_date as document_date,
    coalesce(x.currency_code, '-1') as transaction_currency_code,
    x.total_amount as document_amount,
    a.applied_amount,
    x.total_amount - a.applied_amount as unapplied_amount,
    {{ dbt.datediff('x.transaction_date', 'd.as_of_date', 'day') }} as days_unapplied,
    x.client_key,
    x.is_intercompany,
    x.legal_entity_key,
    x.project_key
from docs as x
inner join applied as a
    on x.transaction_id = a.applying_transaction_id and x.total_amount - a.applied_amount <> 0
inner join as_of_dates as d
    on x.transaction_date <= d.as_of_date
    and a.from_date <= d.as_of_date and (a.to_date is null or d.as_of_date < a.to_date)
{%- endmacro %}

{#- Month ends from the first invoice's month to the last month end on or before the NetSuite extract
    date (the latest _extract_date of the NetSuite transactions landed), as a query with one column
    as_of_date. A month-end snapshot exists as soon as an extract taken on or after that month end has
    landed, whether or not any document is dated after it; a document dated after the extract date (a
    future-dated invoice) never creates one. since_sql, when given, keeps only month ends after that
    scalar date expression (incremental runs). docs/model/revenue-and-ar.md, "When a month-end exists". -#}
{% macro ar_month_ends(since_sql=none) -%}
    {%- set extract_date = "(select max(_extract_date) from " ~ throughline.erp_input('transactions') ~ ")" -%}
    select {{ throughline.month_end('month_start') }} as as_of_date
    from ({{ month_starts("(select min(invoice_date) from " ~ ref('int_ar_invoices') ~ ")", extract_date) }}) as m
    where {{ throughline.month_end('month_start') }} <= {{ extract_date }}
    {%- if since_sql %}
        and {{ throughline.month_end('month_start') }} > {{ since_sql }}
    {%- endif %}
{%- endmacro %}

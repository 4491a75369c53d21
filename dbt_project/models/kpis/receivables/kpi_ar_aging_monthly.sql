{#- AR aging per month end: one row per month end x legal entity x client x intercompany flag x aging bucket
    with the open amount (tax-inclusive, as owed) and the number of open invoices, from the open items of
    fct_ar_open_items rebuilt as of each month end. Buckets by days past the due date (Current = not yet
    due, then non-overlapping buckets from var ar_aging_bucket_edges: 1-30, 31-60, 61-90, 90+; reference
    section 4.5). Intercompany items keep their own rows (is_intercompany) so the entity rows sum to all open
    AR; the consolidated 'GROUP' rows (per client and bucket, reporting currency) leave them out. -#}

with open_items as (
    select
        as_of_date as month_end_date,
        legal_entity_key,
        coalesce(client_key, '-1') as client_key,
        coalesce(is_intercompany, false) as is_intercompany,
        entity_currency_code,
        {{ aging_bucket('days_past_due') }} as aging_bucket,
        {{ aging_bucket_order('days_past_due') }} as aging_bucket_order,
        {{ receivables_net_of_tax_share('tax_amount', 'original_amount') }} as net_of_tax_share,
        open_amount_entity,
        open_amount_reporting
    from {{ ref('fct_ar_open_items') }}
),

entity_rows as (
    select
        month_end_date,
        legal_entity_key,
        false as is_consolidated,
        client_key,
        is_intercompany,
        aging_bucket,
        aging_bucket_order,
        coalesce(max(entity_currency_code), '-1') as entity_currency_code,
        {{ receivables_amount('sum(' ~ receivables_amount('round(open_amount_entity, 2)') ~ ')') }}
            as open_amount_entity,
        {{ receivables_amount('sum(' ~ receivables_amount('round(open_amount_reporting, 2)') ~ ')') }}
            as open_amount_reporting,
        {{ receivables_amount('sum(' ~ receivables_amount(throughline.round_double('open_amount_entity * net_of_tax_share')) ~ ')') }}
            as open_amount_net_of_tax_entity,
        {{ receivables_amount('sum(' ~ receivables_amount(throughline.round_double('open_amount_reporting * net_of_tax_share')) ~ ')') }}
            as open_amount_net_of_tax_reporting,
        cast(count(*) as {{ dbt.type_int() }}) as open_invoice_count,
        count(case when open_amount_entity is null or open_amount_reporting is null then 1 end) > 0
            as is_fx_rate_missing
    from open_items
    group by month_end_date, legal_entity_key, client_key, is_intercompany, aging_bucket, aging_bucket_order
),

group_rows as (
    {#- consolidated: third-party AR only (intercompany eliminated), per client across entities -#}
    select
        month_end_date,
        'GROUP' as legal_entity_key,
        true as is_consolidated,
        client_key,
        false as is_intercompany,
        aging_bucket,
        aging_bucket_order,
        cast(null as {{ dbt.type_string() }}) as entity_currency_code,
        {{ receivables_amount('null') }} as open_amount_entity,
        {{ receivables_amount('sum(open_amount_reporting)') }} as open_amount_reporting,
        {{ receivables_amount('null') }} as open_amount_net_of_tax_entity,
        {{ receivables_amount('sum(open_amount_net_of_tax_reporting)') }} as open_amount_net_of_tax_reporting,
        cast(sum(open_invoice_count) as {{ dbt.type_int() }}) as open_invoice_count,
        max(case when is_fx_rate_missing then 1 else 0 end) = 1 as is_fx_rate_missing
    from entity_rows
    where not is_intercompany
    group by month_end_date, client_key, aging_bucket, aging_bucket_order
),

all_rows as (
    select * from entity_rows
    union all
    select * from group_rows
)

select
    cast({{ dbt.date_trunc('month', 'month_end_date') }} as date) as month_start_date,
    month_end_date,
    legal_entity_key,
    is_consolidated,
    client_key,
    is_intercompany,
    aging_bucket,
    cast(aging_bucket_order as {{ dbt.type_int() }}) as aging_bucket_order,
    entity_currency_code,
    {{ reporting_currency_literal() }} as reporting_currency_code,
    open_amount_entity,
    open_amount_reporting,
    open_amount_net_of_tax_entity,
    open_amount_net_of_tax_reporting,
    open_invoice_count,
    is_fx_rate_missing,
    {{ kpi_definition_version('receivables') }} as definition_version
from all_rows
where {{ receivables_as_of_filter('month_end_date') }}

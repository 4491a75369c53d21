-- Every currency the Xero ledger uses (documents, bank accounts, contacts' defaults, the base currency) as the
-- canonical ERP currencies (the columns of stg_netsuite__currencies); the id is the ISO code. Rate to base =
-- the newest document rate (1 / currency_rate). Xero exports no currency list: symbol = code, precision 2.
-- With several organisations the base is the group's: var reporting_currency when an organisation keeps its books
-- in it, else the smallest base code; rates come from the documents of organisations in that base.
with group_base as (
    select coalesce(
        max(case when base_currency_code = {{ dbt.string_literal(var('reporting_currency')) }} then base_currency_code end),
        min(base_currency_code)
    ) as base_currency_code
    from {{ ref('int_xero__base_currency') }}
),

in_group_base as (
    select b.source_relation
    from {{ ref('int_xero__base_currency') }} as b
    inner join group_base as g on g.base_currency_code = b.base_currency_code
),

used as (
    select currency_code, invoice_date as rate_date, currency_rate, modified_at, source_relation
    from {{ ref('stg_xero__invoices') }}
    union all
    select currency_code, credit_note_date, currency_rate, modified_at, source_relation
    from {{ ref('stg_xero__credit_notes') }}
    union all
    select currency_code, transaction_date, currency_rate, modified_at, source_relation
    from {{ ref('stg_xero__bank_transactions') }}
    union all
    select currency_code, cast(null as date), cast(null as {{ throughline.rate_type() }}), modified_at, source_relation
    from {{ ref('stg_xero__accounts') }}
    union all
    select
        default_currency_code, cast(null as date), cast(null as {{ throughline.rate_type() }}), modified_at,
        source_relation
    from {{ ref('stg_xero__contacts') }}
    union all
    select
        base_currency_code, cast(null as date), cast(1 as {{ throughline.rate_type() }}),
        cast(null as {{ dbt.type_timestamp() }}), source_relation
    from {{ ref('int_xero__base_currency') }}
),

ranked as (
    select
        currency_code,
        rate_date,
        modified_at,
        case when source_relation in (select g.source_relation from in_group_base as g) then currency_rate end
            as currency_rate,
        row_number() over (
            partition by currency_code
            order by case when currency_rate > 0 and source_relation in (select g.source_relation from in_group_base as g)
                then 0 else 1 end, rate_date desc
        ) as recency
    from used
    where currency_code is not null
)

select
    r.currency_code as currency_id,
    r.currency_code,
    r.currency_code as currency_symbol,
    r.currency_code as display_symbol,
    r.currency_code = b.base_currency_code as is_base_currency,
    cast(case when r.currency_code = b.base_currency_code then 1.0 when r.currency_rate > 0 then 1.0 / r.currency_rate end
        as double) as exchange_rate_to_base,
    cast(2 as {{ dbt.type_bigint() }}) as currency_precision,
    false as is_inactive,
    cast(r.modified_at as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    cast(null as {{ dbt.type_string() }}) as _source_file,
    cast(null as {{ dbt.type_bigint() }}) as _source_row,
    cast(null as {{ dbt.type_timestamp() }}) as _loaded_at
from ranked as r
cross join group_base as b
where r.recency = 1

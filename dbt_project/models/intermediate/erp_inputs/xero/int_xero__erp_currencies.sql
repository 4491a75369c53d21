-- Every currency the Xero ledger uses (documents, bank accounts, contacts' defaults, the base currency) as the
-- canonical ERP currencies (the columns of stg_netsuite__currencies); the id is the ISO code. Rate to base =
-- the newest document rate (1 / currency_rate). Xero exports no currency list: symbol = code, precision 2.
with used as (
    select currency_code, invoice_date as rate_date, currency_rate, modified_at
    from {{ ref('stg_xero__invoices') }}
    union all
    select currency_code, credit_note_date, currency_rate, modified_at from {{ ref('stg_xero__credit_notes') }}
    union all
    select currency_code, transaction_date, currency_rate, modified_at from {{ ref('stg_xero__bank_transactions') }}
    union all
    select currency_code, cast(null as date), cast(null as {{ throughline.rate_type() }}), modified_at
    from {{ ref('stg_xero__accounts') }}
    union all
    select default_currency_code, cast(null as date), cast(null as {{ throughline.rate_type() }}), modified_at
    from {{ ref('stg_xero__contacts') }}
    union all
    select base_currency_code, cast(null as date), cast(1 as {{ throughline.rate_type() }}), cast(null as {{ dbt.type_timestamp() }})
    from {{ ref('int_xero__base_currency') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by currency_code order by case when currency_rate > 0 then 0 else 1 end, rate_date desc
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
cross join {{ ref('int_xero__base_currency') }} as b
where r.recency = 1

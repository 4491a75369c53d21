-- Canonical currencies (the columns of stg_netsuite__currencies): QuickBooks names currencies by ISO code, so
-- the id is the code; every currency on a document, customer, vendor or account, and every company's home
-- currency (the base company's is the base). exchange_rate_to_base: 1 for the home currency, else the latest rate on a document.
with company as (
    select home_currency_code from {{ ref('int_quickbooks__company') }} where is_base_company
),

codes as (
    select home_currency_code as currency_code from {{ ref('int_quickbooks__company') }}
    union
    select currency_code from {{ ref('int_quickbooks__documents') }}
    union
    select currency_code from {{ ref('stg_quickbooks__customers') }}
    union
    select currency_code from {{ ref('stg_quickbooks__vendors') }}
    union
    select currency_code from {{ ref('stg_quickbooks__accounts') }}
),

latest as (
    select transaction_currency_id, exchange_rate
    from (
        select
            transaction_currency_id,
            exchange_rate,
            row_number() over (partition by transaction_currency_id order by effective_date desc) as rn
        from {{ ref('int_quickbooks__erp_currency_rates') }}
    ) as r
    where rn = 1
)

select
    k.currency_code as currency_id,
    k.currency_code,
    k.currency_code as currency_symbol,
    cast(null as {{ dbt.type_string() }}) as display_symbol,
    k.currency_code = c.home_currency_code as is_base_currency,
    cast(case when k.currency_code = c.home_currency_code then 1.0 else l.exchange_rate end
        as {{ throughline.ratio_type() }}) as exchange_rate_to_base,
    cast(2 as {{ dbt.type_bigint() }}) as currency_precision,
    false as is_inactive,
    cast(null as {{ dbt.type_timestamp() }}) as modified_at,
    'quickbooks' as source_system,
    cast(null as {{ dbt.type_string() }}) as _source_file,
    cast(null as {{ dbt.type_bigint() }}) as _source_row,
    cast(null as {{ dbt.type_timestamp() }}) as _loaded_at
from codes as k
cross join company as c
left join latest as l on k.currency_code = l.transaction_currency_id
where k.currency_code is not null

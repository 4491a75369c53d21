-- Xero's document rates as the canonical ERP currency rates (the columns of stg_netsuite__currency_rates): Xero
-- exports no rate table, but every foreign-currency invoice, credit note and bank transaction carries the rate
-- it was booked at. One rate per currency and day (the most recently changed document's): 1 unit of the
-- currency = exchange_rate units of the base currency (1 / currency_rate). Each organisation quotes against its own
-- base currency: one rate per base, currency and day, numbered in that order.
with quotes as (
    select
        source_relation, currency_code, invoice_date as effective_date, currency_rate, modified_at, _source_file,
        _source_row, _loaded_at
    from {{ ref('stg_xero__invoices') }}
    where status in ('AUTHORISED', 'PAID')
    union all
    select
        source_relation, currency_code, credit_note_date, currency_rate, modified_at, _source_file, _source_row,
        _loaded_at
    from {{ ref('stg_xero__credit_notes') }}
    where coalesce(status, 'AUTHORISED') in ('AUTHORISED', 'PAID')
    union all
    select
        source_relation, currency_code, transaction_date, currency_rate, modified_at, _source_file, _source_row,
        _loaded_at
    from {{ ref('stg_xero__bank_transactions') }}
    where coalesce(status, 'AUTHORISED') = 'AUTHORISED'
),

ranked as (
    select
        q.*,
        b.base_currency_code,
        row_number() over (
            partition by b.base_currency_code, q.currency_code, q.effective_date order by q.modified_at desc, q._source_row desc
        ) as recency
    from quotes as q
    inner join {{ ref('int_xero__base_currency') }} as b on b.source_relation = q.source_relation
    where q.currency_code <> b.base_currency_code and q.currency_rate > 0 and q.effective_date is not null
)

select
    -- a number, as NetSuite's rate ids are (the FX checks order quotes by id)
    cast(row_number() over (order by base_currency_code, currency_code, effective_date) as {{ dbt.type_string() }})
        as currency_rate_id,
    base_currency_code as base_currency_id,
    currency_code as transaction_currency_id,
    cast(1.0 / currency_rate as double) as exchange_rate,
    effective_date,
    cast(modified_at as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from ranked
where recency = 1

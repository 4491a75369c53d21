-- The canonical ERP currency rates (the columns of stg_netsuite__currency_rates) for Xero, which exports no rate
-- table. Two sources, in this order of precedence (docs/sources/xero-as-erp.md, "Supplied exchange rates"):
-- 1. the rates the firm supplies (ingestion/contracts/fx_rates.yml; macro supplied_rate_ctes): for every pair of
--    an organisation's base and a ledger currency they cover, they are the rate table, gaps and all, as NetSuite's;
-- 2. document rates for the pairs they do not cover (all pairs when no rates file is landed): every
--    foreign-currency invoice, credit note and bank transaction carries the rate it was booked at; one rate per
--    base, currency and day (the most recently changed document's): 1 unit of the currency = exchange_rate units
--    of the base (1 / currency_rate).
-- A document's own entity amount always uses the rate it was booked at (int_xero__erp_transactions), never these.
-- Ids are numbers, as NetSuite's (the FX checks order quotes by id): supplied rows first, in the order entered.
with {{ throughline.supplied_rate_ctes(
    books='select base_currency_code from ' ~ ref('int_xero__base_currency'),
    currencies='select currency_code from ' ~ ref('int_xero__erp_currencies')
) }},

quotes as (
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
),

document_rates as (
    -- the pairs no supplied rate covers
    select r.*
    from ranked as r
    left join supplied_pairs as p on p.book_currency_id = r.base_currency_code and p.currency_id = r.currency_code
    where r.recency = 1 and p.currency_id is null
),

supplied_count as (
    select count(*) as supplied_rows from supplied_rates
)

select
    cast(row_number() over (order by supplied_kind, supplied_order) as {{ dbt.type_string() }}) as currency_rate_id,
    base_currency_id,
    transaction_currency_id,
    cast(exchange_rate as double) as exchange_rate,
    effective_date,
    cast(modified_at as {{ dbt.type_timestamp() }}) as modified_at,
    'fx_rates' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from supplied_rates

union all

select
    -- a number, as NetSuite's rate ids are (the FX checks order quotes by id)
    cast(n.supplied_rows + row_number() over (order by d.base_currency_code, d.currency_code, d.effective_date)
        as {{ dbt.type_string() }}) as currency_rate_id,
    d.base_currency_code as base_currency_id,
    d.currency_code as transaction_currency_id,
    cast(1.0 / d.currency_rate as double) as exchange_rate,
    d.effective_date,
    cast(d.modified_at as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    d._source_file,
    d._source_row,
    d._loaded_at
from document_rates as d
cross join supplied_count as n

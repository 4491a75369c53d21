-- Daily rates (the columns of stg_netsuite__currency_rates) for QuickBooks, which exports no rate table. Two
-- sources, in this order of precedence (docs/sources/quickbooks-as-erp.md, "Supplied exchange rates"):
-- 1. the rates the firm supplies (ingestion/contracts/fx_rates.yml; macro supplied_rate_ctes): for every pair of a
--    company's home currency and a ledger currency they cover, they are the rate table, gaps and all, as NetSuite's
--    (ids: numbers in the order entered);
-- 2. document rates for the pairs they do not cover (all pairs when no rates file is landed): QuickBooks stores the
--    rate on each foreign-currency document (home currency per unit), so a currency's rate on a day is the one on
--    that day's documents (the most recently modified when they differ), with that document's lineage. Base
--    currency: the home currency of the base company (int_quickbooks__company: the one in the reporting
--    currency); only its documents quote rates to the base (another company's rates are to its own home currency).
-- A document's own entity amount always uses the rate it was booked at, never these.
with {{ throughline.supplied_rate_ctes(
    books='select home_currency_code as base_currency_code from ' ~ ref('int_quickbooks__company'),
    currencies='select home_currency_code as currency_code from ' ~ ref('int_quickbooks__company')
        ~ ' union select currency_code from ' ~ ref('int_quickbooks__documents')
        ~ ' union select currency_code from ' ~ ref('stg_quickbooks__customers')
        ~ ' union select currency_code from ' ~ ref('stg_quickbooks__vendors')
        ~ ' union select currency_code from ' ~ ref('stg_quickbooks__accounts')
) }},

company as (
    select source_relation, home_currency_code from {{ ref('int_quickbooks__company') }} where is_base_company
),

observed as (
    select
        d.currency_code,
        d.transaction_date,
        d.exchange_rate,
        d.modified_at,
        d._source_file,
        d._source_row,
        d._loaded_at,
        row_number() over (
            partition by d.currency_code, d.transaction_date
            order by d.modified_at desc, d._loaded_at desc, d.transaction_id asc
        ) as rn
    from {{ ref('int_quickbooks__documents') }} as d
    inner join company as c on d.source_relation = c.source_relation
    where d.currency_code <> c.home_currency_code
        and d.exchange_rate > 0
        and d.transaction_date is not null
)

select
    cast(row_number() over (order by supplied_kind, supplied_order) as {{ dbt.type_string() }}) as currency_rate_id,
    base_currency_id,
    transaction_currency_id,
    cast(exchange_rate as {{ throughline.ratio_type() }}) as exchange_rate,
    effective_date,
    cast(modified_at as {{ dbt.type_timestamp() }}) as modified_at,
    'fx_rates' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from supplied_rates

union all

select
    {{ composite_key(['o.currency_code', 'o.transaction_date']) }} as currency_rate_id,
    c.home_currency_code as base_currency_id,
    o.currency_code as transaction_currency_id,
    cast(o.exchange_rate as {{ throughline.ratio_type() }}) as exchange_rate,
    o.transaction_date as effective_date,
    o.modified_at,
    'quickbooks' as source_system,
    o._source_file,
    o._source_row,
    o._loaded_at
from observed as o
cross join company as c
left join supplied_pairs as p on p.book_currency_id = c.home_currency_code and p.currency_id = o.currency_code
where o.rn = 1 and p.currency_id is null

-- Daily rates (the columns of stg_netsuite__currency_rates): QuickBooks stores the rate on each foreign-currency
-- document (home currency per unit), so a currency's rate on a day is the one on that day's documents (the
-- most recently modified when they differ), with that document's lineage. Base currency: the home currency of
-- the base company (int_quickbooks__company: the one in the reporting currency); only its documents quote rates
-- to the base (another company's rates are to its own home currency).
with company as (
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
where o.rn = 1

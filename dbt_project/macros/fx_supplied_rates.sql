{#- The exchange rates a firm supplies (ingestion/contracts/fx_rates.yml) as rows of the canonical ERP rate table
    (the columns of stg_netsuite__currency_rates), for an ERP that exports no rate table (Xero, QuickBooks). Emits
    CTEs to splice into the caller's WITH clause; the last two are the ones to read:

    - supplied_rates: base_currency_id, transaction_currency_id, exchange_rate (1 transaction currency =
      exchange_rate base currency, NetSuite's direction), effective_date, modified_at, supplied_kind and
      supplied_order (number the rate ids in that order: quotes as entered, file by file and line by line,
      then the crossed rates), _source_file, _source_row, _loaded_at;
    - supplied_pairs: (book_currency_id, currency_id) pairs the supplied rates cover, either way round.

    books: a select of column base_currency_code, the currencies the ledger books in (each company's base);
    currencies: a select of column currency_code, the currencies the ledger uses.

    Semantics, kept from NetSuite's rate table: every supplied quote between two of the ledger's currencies, one
    of them a book's base, is a row as the firm quoted it (a quote of the base in another currency stays that
    way round: int_fx_base_rates_daily inverts it, FX_INVERSE_INCONSISTENT compares it with its direct quote).
    A ledger currency that no quote relates to a book's base on a day (the ECB quotes everything in EUR) is
    crossed through a currency quoted against both that day: 1 pivot = x base and 1 pivot = y currency give
    1 currency = x / y base; the pivot with the smallest code when several could. Of two supplied quotes of one
    day and pair the firm's own daily_rates win over the ECB file. Nothing is ever filled in: a day without a
    quote is a gap, as in NetSuite (carried forward by int_fx_base_rates_daily, FX_MISSING_RATE past the limit).
    Portable: joins and window functions only. -#}
{% macro supplied_rate_ctes(books, currencies) -%}
supplied_books as (
    select distinct base_currency_code from ({{ books }}) as b where base_currency_code is not null
),

supplied_currencies as (
    select distinct currency_code from ({{ currencies }}) as c where currency_code is not null
),

supplied_landed as (
    select
        rate_date, base_currency_code, quote_currency_code, rate, updated_at, 1 as source_rank,
        _source_file, _source_row, _loaded_at
    from {{ ref('stg_fx_rates__daily_rates') }}
    union all
    select
        rate_date, base_currency_code, quote_currency_code, rate, updated_at, 2 as source_rank,
        _source_file, _source_row, _loaded_at
    from {{ ref('stg_fx_rates__ecb_reference_rates') }}
),

supplied_quotes as (
    -- one quote per day and pair as landed (1 base_currency_code = rate quote_currency_code), numbered in the
    -- order it was entered: file by file (extract folders sort by day), line by line
    select
        rate_date, base_currency_code, quote_currency_code, rate,
        coalesce(updated_at, cast(rate_date as {{ dbt.type_timestamp() }})) as modified_at,
        row_number() over (order by source_rank, _source_file, _source_row, quote_currency_code) as entry_order,
        _source_file, _source_row, _loaded_at
    from (
        select
            l.*,
            row_number() over (
                partition by rate_date, base_currency_code, quote_currency_code
                order by source_rank, _source_file desc, _source_row desc
            ) as pick
        from supplied_landed as l
    ) as ranked
    where pick = 1
),

supplied_direct as (
    -- quotes between two ledger currencies, one of them a book's base: rows of the rate table as quoted
    select q.*
    from supplied_quotes as q
    inner join supplied_currencies as fc on fc.currency_code = q.base_currency_code
    inner join supplied_currencies as tc on tc.currency_code = q.quote_currency_code
    left join supplied_books as fb on fb.base_currency_code = q.base_currency_code
    left join supplied_books as tb on tb.base_currency_code = q.quote_currency_code
    where fb.base_currency_code is not null or tb.base_currency_code is not null
),

supplied_legs as (
    -- every quote both ways (1 from_currency = rate to_currency); a quote as landed beats the other's inverse
    select rate_date, from_currency, to_currency, rate, modified_at, _source_file, _source_row, _loaded_at
    from (
        select
            legs.*,
            row_number() over (
                partition by rate_date, from_currency, to_currency order by inverted, entry_order desc
            ) as pick
        from (
            select
                rate_date, base_currency_code as from_currency, quote_currency_code as to_currency, rate,
                0 as inverted, entry_order, modified_at, _source_file, _source_row, _loaded_at
            from supplied_quotes
            union all
            select
                rate_date, quote_currency_code, base_currency_code, 1.0 / rate,
                1, entry_order, modified_at, _source_file, _source_row, _loaded_at
            from supplied_quotes
        ) as legs
    ) as ranked
    where pick = 1
),

supplied_cross as (
    -- a ledger currency with no quote to a book's base that day, crossed through a pivot quoted against both
    select rate_date, base_currency_code, currency_code, rate, modified_at, _source_file, _source_row, _loaded_at
    from (
        select
            b.rate_date,
            b.to_currency as base_currency_code,
            c.to_currency as currency_code,
            b.rate / c.rate as rate,
            case when c.modified_at > b.modified_at then c.modified_at else b.modified_at end as modified_at,
            c._source_file,
            c._source_row,
            c._loaded_at,
            row_number() over (
                partition by b.rate_date, b.to_currency, c.to_currency order by b.from_currency
            ) as pick
        from supplied_legs as b
        inner join supplied_books as k on k.base_currency_code = b.to_currency
        inner join supplied_legs as c on c.rate_date = b.rate_date and c.from_currency = b.from_currency
        inner join supplied_currencies as sc on sc.currency_code = c.to_currency
        left join supplied_legs as d
            on d.rate_date = b.rate_date and d.from_currency = c.to_currency and d.to_currency = b.to_currency
        where c.to_currency <> b.to_currency and d.rate_date is null
    ) as ranked
    where pick = 1
),

supplied_rates as (
    select
        quote_currency_code as base_currency_id,
        base_currency_code as transaction_currency_id,
        rate as exchange_rate,
        rate_date as effective_date,
        modified_at,
        0 as supplied_kind,
        entry_order as supplied_order,
        _source_file, _source_row, _loaded_at
    from supplied_direct
    union all
    select
        base_currency_code,
        currency_code,
        rate,
        rate_date,
        modified_at,
        1,
        row_number() over (order by rate_date, base_currency_code, currency_code),
        _source_file, _source_row, _loaded_at
    from supplied_cross
),

supplied_pairs as (
    select base_currency_id as book_currency_id, transaction_currency_id as currency_id from supplied_rates
    union
    select transaction_currency_id, base_currency_id from supplied_rates
)
{%- endmacro %}

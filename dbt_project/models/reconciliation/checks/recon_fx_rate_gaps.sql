{#- FX: the rate tables the conversions rely on. FX_MISSING_RATE: a run of at least var
    recon_fx_missing_rate_days consecutive days without a daily rate for a currency pair, between two quoted
    days, while transactions in that currency are dated inside the run. FX_INVERSE_INCONSISTENT: a
    pair quoted both ways on the same day whose two rates multiply to more than var
    recon_fx_inverse_tolerance away from 1; the quote with the higher internal id (entered later) is the
    one flagged. FX_MISSING_CONSOLIDATED_RATE: a (period, from subsidiary, to subsidiary) consolidation
    rate missing for a posting period with transactions, up to the newest period that has any
    consolidated rate (a period whose rates are not published yet is not a break). -#}
with rates as (
    select * from {{ throughline.erp_input('currency_rates') }}
),

currencies as (
    select currency_id, currency_code from {{ throughline.erp_input('currencies') }}
),

transactions as (
    select transaction_id, currency_id, transaction_date, accounting_period_id
    from {{ throughline.erp_input('transactions') }}
    where not coalesce(is_voided, false)
),

quoted_days as (
    select base_currency_id, transaction_currency_id, effective_date,
        lead(effective_date) over (partition by base_currency_id, transaction_currency_id order by effective_date)
            as next_quoted_date
    from (select distinct base_currency_id, transaction_currency_id, effective_date from rates) as d
),

gaps as (
    select
        q.base_currency_id,
        q.transaction_currency_id,
        cast({{ dbt.dateadd('day', 1, 'q.effective_date') }} as date) as gap_from,
        cast({{ dbt.dateadd('day', -1, 'q.next_quoted_date') }} as date) as gap_to,
        {{ dbt.datediff('q.effective_date', 'q.next_quoted_date', 'day') }} - 1 as missing_days
    from quoted_days as q
    where q.next_quoted_date is not null
        and {{ dbt.datediff('q.effective_date', 'q.next_quoted_date', 'day') }} - 1 >= {{ var('recon_fx_missing_rate_days') }}
),

missing_rate as (
    select g.*, c.currency_code, count(*) as transactions_in_gap
    from gaps as g
    inner join transactions as t
        on t.currency_id = g.transaction_currency_id and t.transaction_date between g.gap_from and g.gap_to
    left join currencies as c on g.transaction_currency_id = c.currency_id
    group by g.base_currency_id, g.transaction_currency_id, g.gap_from, g.gap_to, g.missing_days, c.currency_code
),

inverse as (
    select
        r.currency_rate_id,
        d.currency_rate_id as direct_rate_id,
        r.effective_date,
        c.currency_code,
        1 / d.exchange_rate as expected_rate,
        r.exchange_rate as actual_rate,
        r.exchange_rate * d.exchange_rate - 1 as product_error
    from rates as r
    inner join rates as d
        on r.base_currency_id = d.transaction_currency_id
        and r.transaction_currency_id = d.base_currency_id
        and r.effective_date = d.effective_date
        and cast(r.currency_rate_id as {{ dbt.type_bigint() }}) > cast(d.currency_rate_id as {{ dbt.type_bigint() }})
    left join currencies as c on r.transaction_currency_id = c.currency_id
    where r.base_currency_id <> r.transaction_currency_id
        and d.exchange_rate > 0
        and abs(r.exchange_rate * d.exchange_rate - 1) > {{ var('recon_fx_inverse_tolerance') }}
),

consolidated as (
    select * from {{ throughline.erp_input('consolidated_exchange_rates') }}
    where coalesce(accounting_book_id, '1') = '1'
),

periods as (
    select accounting_period_id, start_date from {{ throughline.erp_input('accounting_periods') }}
    where coalesce(is_posting, true)
),

published_through as (
    select max(p.start_date) as start_date
    from consolidated as c inner join periods as p on c.accounting_period_id = p.accounting_period_id
),

subsidiary_pairs as (
    select distinct from_subsidiary_id, to_subsidiary_id from consolidated
),

periods_in_use as (
    select distinct p.accounting_period_id, p.start_date
    from periods as p
    inner join transactions as t on t.accounting_period_id = p.accounting_period_id
    where p.start_date <= (select start_date from published_through)
),

missing_consolidated as (
    select u.accounting_period_id, u.start_date, s.from_subsidiary_id, s.to_subsidiary_id
    from periods_in_use as u
    cross join subsidiary_pairs as s
    where not exists (
        select 1 from consolidated as c
        where c.accounting_period_id = u.accounting_period_id
            and c.from_subsidiary_id = s.from_subsidiary_id and c.to_subsidiary_id = s.to_subsidiary_id
    )
)

select
    {{ throughline.recon_columns(
        check_id="'FX_MISSING_RATE'", source_system="'netsuite'", source_object="'currencyrate'",
        record_key=throughline.recon_json([('basecurrency', 'base_currency_id', 'number'),
            ('transactioncurrency', 'transaction_currency_id', 'number'),
            ('from', 'gap_from', 'string'), ('to', 'gap_to', 'string')]),
        related_keys=throughline.recon_json([('missing_days', 'missing_days', 'number'),
            ('transactions_in_gap', 'transactions_in_gap', 'number')]),
        currency_code='currency_code', event_date='gap_from'
    ) }}
from missing_rate
union all
select
    {{ throughline.recon_columns(
        check_id="'FX_INVERSE_INCONSISTENT'", source_system="'netsuite'", source_object="'currencyrate'",
        record_key=throughline.recon_json([('id', 'currency_rate_id', 'number')]),
        related_keys=throughline.recon_json([('direct_rate_id', 'direct_rate_id', 'number')]),
        currency_code='currency_code', expected_amount='expected_rate', actual_amount='actual_rate',
        difference_amount='actual_rate - expected_rate', event_date='effective_date'
    ) }}
from inverse
union all
select
    {{ throughline.recon_columns(
        check_id="'FX_MISSING_CONSOLIDATED_RATE'", source_system="'netsuite'",
        source_object="'consolidatedexchangerate'",
        record_key=throughline.recon_json([('postingperiod', 'accounting_period_id', 'number'),
            ('fromsubsidiary', 'from_subsidiary_id', 'number'), ('tosubsidiary', 'to_subsidiary_id', 'number')]),
        event_date='start_date'
    ) }}
from missing_consolidated

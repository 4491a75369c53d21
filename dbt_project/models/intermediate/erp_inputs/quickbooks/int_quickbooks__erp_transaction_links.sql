{#- What settles each invoice (the columns of stg_netsuite__transaction_links): QuickBooks records every
    application as a payment line naming the invoice. A payment that also names credit memos applies them
    first: their total is allocated to the payment's invoice lines in line order, and that share is a
    credit_memo_application from the payment's first credit memo; the rest is a payment. Dated by the
    payment date; amount_functional at the payment's exchange rate. Payment lines naming an unknown invoice or
    payment are left out here (int_quickbooks__unjoined reports them). -#}

with payments as (
    select * from {{ ref('int_quickbooks__documents') }} where transaction_type = 'payment'
),

invoices as (
    select source_relation, transaction_id, source_id
    from {{ ref('int_quickbooks__documents') }}
    where transaction_type = 'invoice'
),

credit_memos as (
    select source_relation, transaction_id, source_id
    from {{ ref('int_quickbooks__documents') }}
    where transaction_type = 'credit_memo'
),

payment_lines as (
    select * from {{ ref('stg_quickbooks__payment_lines') }}
),

credits as (
    select
        pl.source_relation,
        pl.payment_id,
        sum(pl.amount) as credit_total,
        min(coalesce(c.transaction_id, {{ dbt.concat(["'CM-'", 'pl.credit_memo_id']) }})) as first_credit_memo_id
    from payment_lines as pl
    left join credit_memos as c on pl.source_relation = c.source_relation and pl.credit_memo_id = c.source_id
    where pl.credit_memo_id is not null
    group by pl.source_relation, pl.payment_id
),

applied as (
    select
        pl.payment_id,
        pl.line_index,
        i.transaction_id as invoice_transaction_id,
        p.transaction_id as payment_transaction_id,
        p.transaction_date,
        p.exchange_rate,
        pl.amount,
        coalesce(c.credit_total, 0) as credit_total,
        c.first_credit_memo_id,
        sum(pl.amount) over (
            partition by pl.source_relation, pl.payment_id order by pl.line_index rows between unbounded preceding and current row
        ) - pl.amount as allocated_before,
        pl.modified_at,
        pl._source_file,
        pl._source_row,
        pl._loaded_at
    from payment_lines as pl
    inner join payments as p on pl.source_relation = p.source_relation and pl.payment_id = p.source_id
    inner join invoices as i on pl.source_relation = i.source_relation and pl.invoice_id = i.source_id
    left join credits as c on pl.source_relation = c.source_relation and pl.payment_id = c.payment_id
),

split as (
    select
        a.*,
        case
            when a.credit_total - a.allocated_before <= 0 then 0
            when a.credit_total - a.allocated_before >= a.amount then a.amount
            else a.credit_total - a.allocated_before
        end as credit_part
    from applied as a
),

links as (
    select
        split.*, 'Payment' as link_type_code, payment_transaction_id as next_transaction_id,
        'payment' as next_transaction_type, amount - credit_part as link_amount
    from split
    where amount - credit_part <> 0 or credit_part = 0
    union all
    select
        split.*, 'CreditMemoApplication', first_credit_memo_id, 'credit_memo', credit_part
    from split
    where credit_part <> 0
)

select
    {{ composite_key(['invoice_transaction_id', "'0'", 'next_transaction_id', 'line_index', 'link_type_code']) }}
        as transaction_link_id,
    invoice_transaction_id as previous_transaction_id,
    cast(0 as {{ dbt.type_bigint() }}) as previous_line_id,
    next_transaction_id,
    cast(line_index as {{ dbt.type_bigint() }}) as next_line_id,
    link_type_code,
    case link_type_code when 'Payment' then 'payment' else 'credit_memo_application' end as link_type,
    'invoice' as previous_transaction_type,
    next_transaction_type,
    transaction_date as link_date,
    cast(link_amount as decimal(18, 2)) as amount_transaction,
    cast(round(link_amount * exchange_rate, 2) as decimal(18, 2)) as amount_functional,
    modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from links

{#- Every document line with the account it posts to and its signed ledger amount (debit positive, document
    currency), posted the way QuickBooks posts each document (compare Fivetran's dbt_quickbooks
    *_double_entry models):
    - invoice: line 0 debits receivables with the total; each sales or discount line credits its income
      account (the line's, else its item's; a discount line is a debit); line 9999 credits sales tax with the
      total tax;
    - credit memo: the reverse of an invoice (its tax is the total less the lines);
    - payment: line 0 debits the deposit account (undeposited funds when none) with the amount received, line 1
      credits receivables with what it settles at the invoices' rates (the unapplied rest at the payment's),
      line 2 books the difference to exchange gain or loss (amount_home; no document-currency amount);
    - journal entry: each line as booked (index + 1).
    Everything joins within its company (source_relation); accounts, items, classes and customers come out as
    their canonical keys (int_quickbooks__keys). Subtotal and description-only lines post nothing and are left out. amount_transaction keeps the sign the
    canonical transaction lines use: positive for invoice, credit memo and payment lines (a discount line
    negative), the ledger sign for journals. -#}

with company as (
    select * from {{ ref('int_quickbooks__company') }}
),

docs as (
    {#- a zero payment (a credit memo applied to an invoice) posts nothing #}
    select * from {{ ref('int_quickbooks__documents') }}
    where not (transaction_type = 'payment' and coalesce(total_amount, 0) = 0)
),

items as (
    select source_relation, item_id, income_account_id from {{ ref('stg_quickbooks__items') }}
),

keys as (
    select * from {{ ref('int_quickbooks__keys') }}
),

invoice_lines as (
    select
        d.source_relation,
        d.transaction_id,
        l.line_index + 1 as line_id,
        l.item_id,
        l.quantity,
        l.unit_price,
        case when l.detail_type = 'DiscountLineDetail' then -l.amount else l.amount end as amount_transaction,
        coalesce(l.account_id, i.income_account_id) as account_id,
        coalesce(l.class_id, d.class_id) as class_id,
        l.description,
        l.service_date,
        l.modified_at,
        l._source_file,
        l._source_row,
        l._loaded_at
    from {{ ref('stg_quickbooks__invoice_lines') }} as l
    inner join docs as d
        on d.transaction_type = 'invoice' and l.source_relation = d.source_relation and l.invoice_id = d.source_id
    left join items as i on l.source_relation = i.source_relation and l.item_id = i.item_id
    where coalesce(l.detail_type, '') not in ('SubTotalLineDetail', 'DescriptionOnly')
),

credit_memo_lines as (
    select
        d.source_relation,
        d.transaction_id,
        l.line_index + 1 as line_id,
        l.item_id,
        cast(null as {{ throughline.ratio_type() }}) as quantity,
        cast(null as decimal(18, 2)) as unit_price,
        l.amount as amount_transaction,
        coalesce(l.account_id, i.income_account_id) as account_id,
        d.class_id,
        cast(null as {{ dbt.type_string() }}) as description,
        cast(null as date) as service_date,
        l.modified_at,
        l._source_file,
        l._source_row,
        l._loaded_at
    from {{ ref('stg_quickbooks__credit_memo_lines') }} as l
    inner join docs as d
        on d.transaction_type = 'credit_memo' and l.source_relation = d.source_relation
        and l.credit_memo_id = d.source_id
    left join items as i on l.source_relation = i.source_relation and l.item_id = i.item_id
),

credit_memo_tax as (
    select transaction_id, sum(amount_transaction) as lines_total from credit_memo_lines group by transaction_id
),

payment_home as (
    {#- what a payment takes off receivables in the home currency: each application at its invoice's rate #}
    select
        p.transaction_id,
        sum(pl.amount * i.exchange_rate) as applied_home,
        sum(pl.amount) as applied_transaction
    from {{ ref('stg_quickbooks__payment_lines') }} as pl
    inner join docs as p
        on p.transaction_type = 'payment' and pl.source_relation = p.source_relation and pl.payment_id = p.source_id
    inner join docs as i
        on i.transaction_type = 'invoice' and pl.source_relation = i.source_relation and pl.invoice_id = i.source_id
    group by p.transaction_id
),

taxes as (
    select
        d.source_relation,
        d.transaction_id,
        d.transaction_type,
        case d.transaction_type
            when 'invoice' then d.tax_amount
            else d.total_amount - coalesce(c.lines_total, 0)
        end as tax
    from docs as d
    left join credit_memo_tax as c on d.transaction_id = c.transaction_id
    where d.transaction_type in ('invoice', 'credit_memo')
),

item_lines as (
    select
        l.*,
        case when d.transaction_type = 'invoice' then -l.amount_transaction else l.amount_transaction end
            as gl_amount,
        d.customer_id,
        d.psa_project_id
    from (select * from invoice_lines union all select * from credit_memo_lines) as l
    inner join docs as d on l.transaction_id = d.transaction_id
),

header_lines as (
    {#- line 0 of invoices, credit memos and payments: the receivable (or the deposit of a payment) #}
    select
        d.source_relation, d.transaction_id, 0 as line_id, true as is_main_line, false as is_tax_line,
        d.total_amount as amount_transaction,
        case d.transaction_type when 'credit_memo' then -d.total_amount else d.total_amount end as gl_amount,
        case when d.transaction_type = 'payment' then coalesce(p.deposit_account_id, co.undeposited_account_id)
            else co.ar_account_id end as account_id,
        d.open_amount as amount_unpaid,
        cast(null as decimal(18, 2)) as amount_home
    from docs as d
    inner join company as co on d.source_relation = co.source_relation
    left join {{ ref('stg_quickbooks__payments') }} as p
        on d.transaction_type = 'payment' and d.source_relation = p.source_relation and d.source_id = p.payment_id
    where d.transaction_type in ('invoice', 'credit_memo', 'payment')
    union all
    {#- line 1 of a payment: the receivable it settles, at the invoices' rates #}
    select
        d.source_relation, d.transaction_id, 1, false, false, d.total_amount, -d.total_amount,
        coalesce(p.receivable_account_id, co.ar_account_id), cast(null as decimal(18, 2)),
        -round(coalesce(h.applied_home, 0)
            + (d.total_amount - coalesce(h.applied_transaction, 0)) * d.exchange_rate, 2)
    from docs as d
    inner join company as co on d.source_relation = co.source_relation
    inner join {{ ref('stg_quickbooks__payments') }} as p
        on d.source_relation = p.source_relation and d.source_id = p.payment_id
    left join payment_home as h on d.transaction_id = h.transaction_id
    where d.transaction_type = 'payment'
    union all
    {#- line 2 of a foreign payment: realized exchange gain (credit) or loss (debit) #}
    select
        d.source_relation, d.transaction_id, 2, false, false, cast(0 as decimal(18, 2)), cast(0 as decimal(18, 2)),
        co.fx_account_id, cast(null as decimal(18, 2)),
        round(h.applied_home + (d.total_amount - h.applied_transaction) * d.exchange_rate, 2)
            - round(d.total_amount * d.exchange_rate, 2)
    from docs as d
    inner join company as co on d.source_relation = co.source_relation
    inner join payment_home as h on d.transaction_id = h.transaction_id
    where d.transaction_type = 'payment'
        and round(h.applied_home + (d.total_amount - h.applied_transaction) * d.exchange_rate, 2)
            <> round(d.total_amount * d.exchange_rate, 2)
    union all
    {#- line 9999: sales tax of an invoice (its total tax) or a credit memo (its total less its lines) #}
    select
        t.source_relation, t.transaction_id, 9999, false, true, t.tax,
        case t.transaction_type when 'invoice' then -t.tax else t.tax end,
        co.tax_account_id, cast(null as decimal(18, 2)), cast(null as decimal(18, 2))
    from taxes as t
    inner join company as co on t.source_relation = co.source_relation
    where coalesce(t.tax, 0) <> 0
),

journal_lines as (
    select
        d.source_relation,
        d.transaction_id,
        l.line_index + 1 as line_id,
        l.signed_amount as amount_transaction,
        l.account_id,
        coalesce(j.parent_customer_key, ck.record_key, l.customer_id) as customer_id,
        j.psa_project_id,
        l.class_id,
        l.description,
        l.modified_at,
        l._source_file,
        l._source_row,
        l._loaded_at
    from {{ ref('stg_quickbooks__journal_entry_lines') }} as l
    inner join docs as d
        on d.transaction_type = 'journal' and l.source_relation = d.source_relation
        and l.journal_entry_id = d.source_id
    left join keys as ck
        on ck.entity = 'customer' and l.source_relation = ck.source_relation and l.customer_id = ck.source_id
    left join {{ ref('int_quickbooks__jobs') }} as j
        on l.source_relation = j.source_relation and l.customer_id = j.customer_id
),

raw_lines as (

    select
        source_relation, transaction_id, line_id, false as is_main_line, false as is_tax_line, item_id,
        cast(quantity as decimal(18, 4)) as quantity, cast(unit_price as decimal(18, 4)) as unit_rate,
        cast(amount_transaction as decimal(18, 2)) as amount_transaction, cast(gl_amount as decimal(18, 2)) as gl_amount,
        account_id, class_id, customer_id, psa_project_id, description, service_date,
        cast(null as decimal(18, 2)) as amount_unpaid, cast(null as decimal(18, 2)) as amount_home, modified_at,
        _source_file, _source_row, _loaded_at
    from item_lines
    union all
    select
        h.source_relation, h.transaction_id, h.line_id, h.is_main_line, h.is_tax_line, cast(null as {{ dbt.type_string() }}),
        cast(null as decimal(18, 4)), cast(null as decimal(18, 4)),
        cast(h.amount_transaction as decimal(18, 2)), cast(h.gl_amount as decimal(18, 2)),
        h.account_id, d.class_id, d.customer_id, d.psa_project_id,
        case
            when h.is_tax_line then 'Sales tax' when h.is_main_line then 'Total'
            when h.line_id = 2 then 'Exchange gain or loss' else 'Receivable'
        end,
        cast(null as date), cast(h.amount_unpaid as decimal(18, 2)), cast(h.amount_home as decimal(18, 2)),
        d.modified_at, d._source_file, d._source_row, d._loaded_at
    from header_lines as h
    inner join docs as d on h.transaction_id = d.transaction_id
    union all
    select
        source_relation, transaction_id, line_id, false, false, cast(null as {{ dbt.type_string() }}),
        cast(null as decimal(18, 4)), cast(null as decimal(18, 4)),
        cast(amount_transaction as decimal(18, 2)), cast(amount_transaction as decimal(18, 2)),
        account_id, class_id, customer_id, psa_project_id, description, cast(null as date),
        cast(null as decimal(18, 2)), cast(null as decimal(18, 2)), modified_at, _source_file, _source_row, _loaded_at
    from journal_lines
)

select
    r.transaction_id, r.line_id, r.is_main_line, r.is_tax_line, coalesce(ik.record_key, r.item_id) as item_id,
    r.quantity, r.unit_rate, r.amount_transaction, r.gl_amount, coalesce(ak.record_key, r.account_id) as account_id,
    coalesce(kk.record_key, r.class_id) as class_id, r.customer_id, r.psa_project_id, r.description, r.service_date, r.amount_unpaid,
    r.amount_home, r.modified_at, r._source_file, r._source_row, r._loaded_at
from raw_lines as r
left join keys as ak on ak.entity = 'account' and r.source_relation = ak.source_relation and r.account_id = ak.source_id
left join keys as ik on ik.entity = 'item' and r.source_relation = ik.source_relation and r.item_id = ik.source_id
left join keys as kk on kk.entity = 'class' and r.source_relation = kk.source_relation and r.class_id = kk.source_id

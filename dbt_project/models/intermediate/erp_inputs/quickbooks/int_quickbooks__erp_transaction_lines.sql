-- QuickBooks document lines as canonical transaction lines (the columns of stg_netsuite__transaction_lines):
-- line 0 the document total, the sales / credit / journal lines, 9999 the sales tax (int_quickbooks__document_lines).
-- Each line is in its company's subsidiary (department as its canonical key), on the PSA project of its job.
-- amount_functional is the line in the home currency at the document's exchange rate, rounded to cents.
-- An invoice created from an accepted estimate (invoice_linked_txn) names it as created_from_transaction_id on
-- its total and item lines, as NetSuite names the sales order an invoice bills. Accepted estimates (the
-- contracts, int_quickbooks__estimates) add their sales item and discount lines (index + 1), service period
-- from the line's service date to the estimate's expiration date.
with lines as (
    select * from {{ ref('int_quickbooks__document_lines') }}
),

docs as (
    select
        d.transaction_id,
        d.transaction_type,
        d.source_relation,
        d.source_id,
        d.exchange_rate,
        co.subsidiary_id,
        coalesce(k.record_key, d.department_id) as department_id
    from {{ ref('int_quickbooks__documents') }} as d
    inner join {{ ref('int_quickbooks__company') }} as co on d.source_relation = co.source_relation
    left join {{ ref('int_quickbooks__keys') }} as k
        on k.entity = 'department' and d.source_relation = k.source_relation and d.department_id = k.source_id
),

estimates as (
    select * from {{ ref('int_quickbooks__estimates') }}
),

created_from as (
    {#- the accepted estimate an invoice was created from (the first, should it name several) #}
    select lt.source_relation, lt.invoice_id, min(e.transaction_id) as estimate_transaction_id
    from {{ ref('stg_quickbooks__invoice_linked_transactions') }} as lt
    inner join estimates as e on lt.source_relation = e.source_relation and lt.estimate_id = e.source_id
    group by lt.source_relation, lt.invoice_id
),

keys as (
    select * from {{ ref('int_quickbooks__keys') }}
),

estimate_lines as (
    select
        {{ composite_key(['e.transaction_id', 'l.line_index + 1']) }} as transaction_line_id,
        e.transaction_id,
        cast(l.line_index + 1 as {{ dbt.type_bigint() }}) as line_id,
        cast(l.line_index + 1 as {{ dbt.type_bigint() }}) as line_sequence_number,
        false as is_main_line,
        false as is_tax_line,
        coalesce(ik.record_key, l.item_id) as item_id,
        cast(l.quantity as decimal(18, 4)) as quantity,
        cast(l.unit_price as decimal(18, 4)) as unit_rate,
        cast(case when l.sales_item_id is null then -l.amount else l.amount end as decimal(18, 2))
            as amount_transaction,
        cast(round(case when l.sales_item_id is null then -l.amount else l.amount end * e.exchange_rate, 2)
            as decimal(18, 2)) as amount_functional,
        l.description as memo,
        e.subsidiary_id,
        coalesce(dk.record_key, e.department_id) as department_id,
        coalesce(ck.record_key, l.class_id, e.class_id) as class_id,
        e.customer_id as entity_id,
        cast(null as boolean) as is_billable,
        cast(null as {{ dbt.type_string() }}) as created_from_transaction_id,
        e.psa_project_id,
        cast(null as {{ dbt.type_string() }}) as psa_role_id,
        cast(null as {{ dbt.type_string() }}) as psa_milestone_id,
        l.service_date as service_period_start,
        e.contract_end_date as service_period_end,
        l.modified_at,
        'quickbooks' as source_system,
        l._source_file,
        l._source_row,
        l._loaded_at
    from {{ ref('stg_quickbooks__estimate_lines') }} as l
    inner join estimates as e on l.source_relation = e.source_relation and l.estimate_id = e.source_id
    left join keys as ik on ik.entity = 'item' and l.source_relation = ik.source_relation and l.item_id = ik.source_id
    left join keys as ck on ck.entity = 'class' and l.source_relation = ck.source_relation and l.class_id = ck.source_id
    left join keys as dk
        on dk.entity = 'department' and e.source_relation = dk.source_relation and e.department_id = dk.source_id
    where l.sales_item_id is not null or l.discount_account_id is not null
)

select
    {{ composite_key(['l.transaction_id', 'l.line_id']) }} as transaction_line_id,
    l.transaction_id,
    cast(l.line_id as {{ dbt.type_bigint() }}) as line_id,
    cast(l.line_id as {{ dbt.type_bigint() }}) as line_sequence_number,
    l.is_main_line,
    l.is_tax_line,
    l.item_id,
    l.quantity,
    l.unit_rate,
    l.amount_transaction,
    cast(round(l.amount_transaction * d.exchange_rate, 2) as decimal(18, 2)) as amount_functional,
    l.description as memo,
    d.subsidiary_id,
    d.department_id,
    l.class_id,
    l.customer_id as entity_id,
    cast(null as boolean) as is_billable,
    case when d.transaction_type = 'invoice' and not l.is_tax_line then cf.estimate_transaction_id end
        as created_from_transaction_id,
    l.psa_project_id,
    cast(null as {{ dbt.type_string() }}) as psa_role_id,
    cast(null as {{ dbt.type_string() }}) as psa_milestone_id,
    l.service_date as service_period_start,
    cast(null as date) as service_period_end,
    l.modified_at,
    'quickbooks' as source_system,
    l._source_file,
    l._source_row,
    l._loaded_at
from lines as l
inner join docs as d on l.transaction_id = d.transaction_id
left join created_from as cf on d.source_relation = cf.source_relation and d.source_id = cf.invoice_id

union all

select * from estimate_lines

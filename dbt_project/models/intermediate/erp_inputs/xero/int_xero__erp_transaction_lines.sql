-- Xero document lines as the canonical ERP transaction lines (the columns of stg_netsuite__transaction_lines),
-- in NetSuite's shape: a main line 0 per document (its total), the item lines of invoices 1..n (net of tax:
-- an Inclusive line's tax is taken out) and one tax line 9999 (the lines' tax) when there is tax. Every line
-- belongs to its organisation's subsidiary (source_relation); the entity is the document's contact. Xero lines carry no
-- class, department, PSA ids or service period (tracking options are not mapped): typed nulls.
-- An accepted quote (int_xero__quotes) adds its lines 1..n (net of tax); a sales invoice whose reference is a
-- contract quote's of its organisation (Xero copies the quote's reference to the invoice made from it) names the
-- first such quote as created_from_transaction_id on its main and item lines, as NetSuite names the sales order.
with documents as (
    select d.*, o.subsidiary_id
    from {{ ref('int_xero__documents') }} as d
    inner join {{ ref('int_xero__organisation') }} as o on o.source_relation = d.source_relation
),

quotes as (
    select * from {{ ref('int_xero__quotes') }}
),

created_from as (
    select d.transaction_id, q.transaction_id as quote_id
    from documents as d
    inner join quotes as q
        on q.source_relation = d.source_relation and q.reference = trim(d.reference)
        and q.parent_contract_transaction_id is null
    where d.transaction_type = 'invoice'
),

quote_lines as (
    select
        q.transaction_id,
        cast(row_number() over (partition by l.quote_id order by l._source_row, l.line_item_id)
            as {{ dbt.type_bigint() }}) as line_id,
        false as is_main_line,
        false as is_tax_line,
        l.item_code as item_id,
        l.quantity,
        l.unit_amount as unit_rate,
        l.line_amount - case when q.line_amount_types = 'Inclusive' then l.tax_amount else 0 end
            as amount_transaction,
        l.description as memo,
        l.modified_at,
        l._source_file,
        l._source_row,
        l._loaded_at,
        q.currency_rate,
        q.subsidiary_id,
        q.contact_id,
        q.psa_project_id,
        q.contract_end_date
    from {{ ref('stg_xero__quote_lines') }} as l
    inner join quotes as q on q.transaction_id = l.quote_id
),

invoice_lines as (
    select
        l.*,
        i.line_amount_types,
        row_number() over (partition by l.invoice_id order by l._source_row, l.line_item_id) as line_id
    from {{ ref('stg_xero__invoice_lines') }} as l
    inner join {{ ref('stg_xero__invoices') }} as i on i.invoice_id = l.invoice_id
),

lines as (
    select
        d.transaction_id, cast(0 as {{ dbt.type_bigint() }}) as line_id, true as is_main_line, false as is_tax_line,
        cast(null as {{ dbt.type_string() }}) as item_id, cast(null as decimal(18, 4)) as quantity,
        cast(null as decimal(18, 4)) as unit_rate, d.total as amount_transaction, d.reference as memo,
        d.modified_at, d._source_file, d._source_row, d._loaded_at
    from documents as d

    union all

    select
        d.transaction_id, l.line_id, false, false, l.item_code, l.quantity, l.unit_amount,
        l.line_amount - case when l.line_amount_types = 'Inclusive' then l.tax_amount else 0 end,
        l.description, l.modified_at, l._source_file, l._source_row, l._loaded_at
    from invoice_lines as l
    inner join documents as d on d.transaction_id = l.invoice_id

    union all

    select
        d.transaction_id, cast(9999 as {{ dbt.type_bigint() }}), false, true, cast(null as {{ dbt.type_string() }}),
        cast(null as decimal(18, 4)), cast(null as decimal(18, 4)), sum(l.tax_amount), 'tax',
        max(l.modified_at), max(l._source_file), min(l._source_row), max(l._loaded_at)
    from invoice_lines as l
    inner join documents as d on d.transaction_id = l.invoice_id
    group by d.transaction_id
    having sum(l.tax_amount) <> 0
)

select
    {{ composite_key(['l.transaction_id', 'l.line_id']) }} as transaction_line_id,
    l.transaction_id,
    l.line_id,
    l.line_id as line_sequence_number,
    l.is_main_line,
    l.is_tax_line,
    l.item_id,
    l.quantity,
    l.unit_rate,
    cast(l.amount_transaction as decimal(18, 2)) as amount_transaction,
    cast(l.amount_transaction / d.currency_rate as decimal(18, 2)) as amount_functional,
    l.memo,
    d.subsidiary_id,
    cast(null as {{ dbt.type_string() }}) as department_id,
    cast(null as {{ dbt.type_string() }}) as class_id,
    d.contact_id as entity_id,
    cast(null as boolean) as is_billable,
    case when not l.is_tax_line then cf.quote_id end as created_from_transaction_id,
    cast(null as {{ dbt.type_string() }}) as psa_project_id,
    cast(null as {{ dbt.type_string() }}) as psa_role_id,
    cast(null as {{ dbt.type_string() }}) as psa_milestone_id,
    cast(null as date) as service_period_start,
    cast(null as date) as service_period_end,
    cast(l.modified_at as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    l._source_file,
    l._source_row,
    l._loaded_at
from lines as l
inner join documents as d on d.transaction_id = l.transaction_id
left join created_from as cf on cf.transaction_id = l.transaction_id

union all

select
    {{ composite_key(['transaction_id', 'line_id']) }} as transaction_line_id,
    transaction_id,
    line_id,
    line_id as line_sequence_number,
    is_main_line,
    is_tax_line,
    item_id,
    quantity,
    unit_rate,
    cast(amount_transaction as decimal(18, 2)) as amount_transaction,
    cast(amount_transaction / currency_rate as decimal(18, 2)) as amount_functional,
    memo,
    subsidiary_id,
    cast(null as {{ dbt.type_string() }}) as department_id,
    cast(null as {{ dbt.type_string() }}) as class_id,
    contact_id as entity_id,
    cast(null as boolean) as is_billable,
    cast(null as {{ dbt.type_string() }}) as created_from_transaction_id,
    psa_project_id,
    cast(null as {{ dbt.type_string() }}) as psa_role_id,
    cast(null as {{ dbt.type_string() }}) as psa_milestone_id,
    cast(null as date) as service_period_start,
    contract_end_date as service_period_end,
    cast(modified_at as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from quote_lines

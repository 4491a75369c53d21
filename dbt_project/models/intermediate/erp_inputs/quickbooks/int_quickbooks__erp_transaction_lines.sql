-- QuickBooks document lines as canonical transaction lines (the columns of stg_netsuite__transaction_lines):
-- line 0 the document total, the sales / credit / journal lines, 9999 the sales tax (int_quickbooks__document_lines).
-- Each line is in its company's subsidiary (department as its canonical key), on the PSA project of its job. amount_functional is the line in the home currency at the
-- document's exchange rate, rounded to cents.
with lines as (
    select * from {{ ref('int_quickbooks__document_lines') }}
),

docs as (
    select
        d.transaction_id,
        d.exchange_rate,
        co.subsidiary_id,
        coalesce(k.record_key, d.department_id) as department_id
    from {{ ref('int_quickbooks__documents') }} as d
    inner join {{ ref('int_quickbooks__company') }} as co on d.source_relation = co.source_relation
    left join {{ ref('int_quickbooks__keys') }} as k
        on k.entity = 'department' and d.source_relation = k.source_relation and d.department_id = k.source_id
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
    cast(null as {{ dbt.type_string() }}) as created_from_transaction_id,
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

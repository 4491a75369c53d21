{#- The canonical id of every QuickBooks master record, by company. QuickBooks numbers records per company, so
    an id two companies use is made unique as '<source_relation>:<id>', except where the companies share it:
    the chart (accounts, items, classes, departments) is one record when every company using the id gives it
    the same name (a firm that consolidates keeps one chart); customers and vendors always belong to one
    company. A single-company export keeps every id as it is. is_primary marks the one row of a shared record
    the mapped masters keep (the first company). -#}
{%- set masters = [
    ('customer', 'stg_quickbooks__customers', 'customer_id', 'source_relation'),
    ('vendor', 'stg_quickbooks__vendors', 'vendor_id', 'source_relation'),
    ('account', 'stg_quickbooks__accounts', 'account_id', 'account_name'),
    ('item', 'stg_quickbooks__items', 'item_id', 'item_name'),
    ('class', 'stg_quickbooks__classes', 'class_id', 'class_name'),
    ('department', 'stg_quickbooks__departments', 'department_id', 'department_name'),
] %}

with records as (
    {%- for entity, model, id_col, same_when in masters %}
    select
        '{{ entity }}' as entity,
        source_relation,
        {{ id_col }} as source_id,
        coalesce(min({{ same_when }}) over (partition by {{ id_col }}), '')
            = coalesce(max({{ same_when }}) over (partition by {{ id_col }}), '') as is_shared
    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

keyed as (
    select
        entity,
        source_relation,
        source_id,
        case when is_shared then source_id else {{ dbt.concat(['source_relation', "':'", 'source_id']) }} end as record_key
    from records
)

select
    entity,
    source_relation,
    source_id,
    record_key,
    row_number() over (partition by entity, record_key order by source_relation) = 1 as is_primary
from keyed

{#- The canonical id of every QuickBooks master record, by company. QuickBooks numbers records per company, so
    an id two companies use is made unique as '<source_relation>:<id>', except where the companies share it:
    a record is one when every company using the id gives it the same name (a firm that consolidates keeps one
    chart, and one client list: a client billed from several companies is a customer in each). A
    single-company export keeps every id as it is. is_primary marks the one row of a shared record the mapped
    masters keep: for a customer or vendor the company whose home currency is its currency (its home
    company), else the base company, else the first. -#}
{%- set masters = [
    ('customer', 'stg_quickbooks__customers', 'customer_id', 'customer_name'),
    ('vendor', 'stg_quickbooks__vendors', 'vendor_id', 'vendor_name'),
    ('account', 'stg_quickbooks__accounts', 'account_id', 'account_name'),
    ('item', 'stg_quickbooks__items', 'item_id', 'item_name'),
    ('class', 'stg_quickbooks__classes', 'class_id', 'class_name'),
    ('department', 'stg_quickbooks__departments', 'department_id', 'department_name'),
] %}

with companies as (
    select source_relation, home_currency_code, is_base_company from {{ ref('int_quickbooks__company') }}
),

records as (
    {%- for entity, model, id_col, same_when in masters %}
    select
        '{{ entity }}' as entity,
        r.source_relation,
        r.{{ id_col }} as source_id,
        coalesce(min(r.{{ same_when }}) over (partition by r.{{ id_col }}), '')
            = coalesce(max(r.{{ same_when }}) over (partition by r.{{ id_col }}), '') as is_shared,
        {% if entity in ('customer', 'vendor') -%}
        case when r.currency_code = c.home_currency_code then 0 when c.is_base_company then 1 else 2 end
        {%- else %}0{% endif %} as preference
    from {{ ref(model) }} as r
    left join companies as c on r.source_relation = c.source_relation
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

keyed as (
    select
        entity,
        source_relation,
        source_id,
        preference,
        case when is_shared then source_id else {{ dbt.concat(['source_relation', "':'", 'source_id']) }} end as record_key
    from records
)

select
    entity,
    source_relation,
    source_id,
    record_key,
    row_number() over (partition by entity, record_key order by preference, source_relation) = 1 as is_primary
from keyed

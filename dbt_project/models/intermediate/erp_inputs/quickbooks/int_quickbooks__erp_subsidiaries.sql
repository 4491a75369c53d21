-- Each QuickBooks company (realm) as one canonical subsidiary (the columns of stg_netsuite__subsidiaries): id '1'
-- for a single-company export, else the source_relation; legal entity code and country as int_quickbooks__company
-- resolves them, currency the company's home currency. With several companies the base company (home currency
-- = the reporting currency) is the others' parent; no elimination.
with companies as (
    select * from {{ ref('int_quickbooks__company') }}
)

select
    c.subsidiary_id,
    coalesce(c.legal_entity_code, 'QuickBooks company') as subsidiary_name,
    coalesce(c.legal_entity_code, 'QuickBooks company') as subsidiary_full_name,
    cast(null as {{ dbt.type_string() }}) as legal_name,
    c.legal_entity_code,
    c.country_code,
    c.home_currency_code as currency_id,
    case when not c.is_base_company then b.subsidiary_id end as parent_subsidiary_id,
    false as is_elimination,
    false as is_inactive,
    cast(null as {{ dbt.type_string() }}) as tax_id,
    cast(null as {{ dbt.type_timestamp() }}) as modified_at,
    'quickbooks' as source_system,
    cast(null as {{ dbt.type_string() }}) as _source_file,
    cast(null as {{ dbt.type_bigint() }}) as _source_row,
    cast(null as {{ dbt.type_timestamp() }}) as _loaded_at
from companies as c
left join companies as b on b.is_base_company

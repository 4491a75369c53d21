-- The QuickBooks company (realm) as the one canonical subsidiary (the columns of stg_netsuite__subsidiaries):
-- id 1, legal entity code and country from vars quickbooks_legal_entity / quickbooks_country, currency the
-- home currency (int_quickbooks__company). No parent, no elimination.
select
    c.subsidiary_id,
    coalesce(c.legal_entity_code, 'QuickBooks company') as subsidiary_name,
    coalesce(c.legal_entity_code, 'QuickBooks company') as subsidiary_full_name,
    cast(null as {{ dbt.type_string() }}) as legal_name,
    c.legal_entity_code,
    c.country_code,
    c.home_currency_code as currency_id,
    cast(null as {{ dbt.type_string() }}) as parent_subsidiary_id,
    false as is_elimination,
    false as is_inactive,
    cast(null as {{ dbt.type_string() }}) as tax_id,
    cast(null as {{ dbt.type_timestamp() }}) as modified_at,
    'quickbooks' as source_system,
    cast(null as {{ dbt.type_string() }}) as _source_file,
    cast(null as {{ dbt.type_bigint() }}) as _source_row,
    cast(null as {{ dbt.type_timestamp() }}) as _loaded_at
from {{ ref('int_quickbooks__company') }} as c

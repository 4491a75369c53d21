-- Each Xero organisation as one subsidiary of the canonical ERP (the columns of stg_netsuite__subsidiaries):
-- functional currency = the organisation's base currency; legal entity code as int_xero__organisation resolves
-- it (else the entity key is 'SUB-<organisation id>'); parent = the organisation in the reporting currency when
-- there are several. No elimination subsidiary, no tax id.
select
    subsidiary_id,
    subsidiary_name,
    subsidiary_name as subsidiary_full_name,
    legal_name,
    legal_entity_code,
    country_code,
    base_currency_code as currency_id,
    parent_subsidiary_id,
    false as is_elimination,
    false as is_inactive,
    cast(null as {{ dbt.type_string() }}) as tax_id,
    cast(modified_at as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from {{ ref('int_xero__organisation') }}

-- The item codes used on Xero invoice lines as the canonical ERP items (the columns of stg_netsuite__items):
-- Xero's item list is not in the export, so the code is the id and the name; no class (service line) or
-- income account.
select
    item_code as item_id,
    item_code,
    item_code as item_name,
    cast(null as {{ dbt.type_string() }}) as item_type,
    max(description) as description,
    cast(null as {{ dbt.type_string() }}) as class_id,
    cast(null as {{ dbt.type_string() }}) as income_account_id,
    false as is_inactive,
    cast(max(modified_at) as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    max(_source_file) as _source_file,
    min(_source_row) as _source_row,
    max(_loaded_at) as _loaded_at
from {{ ref('stg_xero__invoice_lines') }}
where item_code is not null
group by item_code

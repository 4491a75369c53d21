-- QuickBooks vendors as canonical vendors (the columns of stg_netsuite__vendors); one company: none is
-- intercompany.
select
    vendor_id,
    vendor_name,
    company_name,
    '1' as subsidiary_id,
    currency_code as currency_id,
    cast(null as {{ dbt.type_string() }}) as representing_subsidiary_id,
    false as is_intercompany,
    not coalesce(is_active, true) as is_inactive,
    modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from {{ ref('stg_quickbooks__vendors') }}
